/**
 * The dashboards' messages (see ../protocol.ts for the envelope). One page
 * serves the three dashboards: a Redis server, a RabbitMQ broker and one
 * queue; `init` says which, with the samples kept so far (the host keeps
 * the last 10 minutes, so a page shown again or reloaded redraws them).
 */
import type { QueueSample, RabbitSample } from '../../core/amqp/overviewSeries';
import type { BytesLike } from '../../core/bytes';
import type { KeyspaceAnalysis } from '../../core/redis/keyspaceAnalysis';
import type { RedisSample } from '../../core/redis/infoSeries';

export type DashboardKind = 'redis' | 'rabbitmq' | 'queue';

export type DashboardSample = RedisSample | RabbitSample | QueueSample;

export interface DashboardInfo {
  kind: DashboardKind;
  /** `Redis ⟫ local`, `RabbitMQ ⟫ local`, `Queue ⟫ local ⟫ / ⟫ orders`. */
  title: string;
  /** What the samples come from, for sentences: `Redis profile "local"`. */
  where: string;
  intervalMs: number;
  history: DashboardSample[];
  /** The last read's failure, when the last read failed. */
  error?: string;
  /** Redis: the database the keyspace analysis starts on. */
  db?: number;
}

export interface AnalyzeParams {
  db: number;
  /** A SCAN MATCH pattern; every key when absent. */
  match?: string;
}

export interface DashboardProtocol {
  requests: {
    init: { params: Record<string, never>; result: DashboardInfo };
    /** Redis only: the keyspace analysis of one database (the analyzeKeyspace command's result). */
    analyze: { params: AnalyzeParams; result: KeyspaceAnalysis };
    /** Redis only: opens a key the way the tree does (brokerExplorer.redis.openKey). */
    openKey: { params: { db: number; key: BytesLike }; result: { opened: true } };
  };
  pushes: {
    sample: DashboardSample;
    /** A read failed: one sentence; polling goes on. */
    error: { message: string };
  };
}

/** What the page keeps with setState: the last analysis and its inputs. */
export interface DashboardState {
  analysisDb?: number;
  analysisMatch?: string;
  analysis?: KeyspaceAnalysis;
}
