import * as vscode from 'vscode';

export type RedisGrouping = 'type' | 'namespace';

export interface Settings {
  redisPageSize: number;
  maxItemsPerNode: number;
  redisScanCount: number;
  redisMaxExamine: number;
  redisGrouping: RedisGrouping;
  valueItems: number;
  maxValueBytes: number;
  /** Largest collection (items) that opens as an editable JSON document. */
  maxEditableItems: number;
  rabbitPageSize: number;
  tailMaxLines: number;
  tailBufferSize: number;
}

function int(config: vscode.WorkspaceConfiguration, key: string, fallback: number, min: number, max: number): number {
  const v = config.get<number>(key);
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.floor(v))) : fallback;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('brokerExplorer');
  return {
    redisPageSize: int(c, 'redis.pageSize', 500, 1, 10_000),
    maxItemsPerNode: int(c, 'maxItemsPerNode', 10_000, 10, 100_000),
    redisScanCount: int(c, 'redis.scanCount', 1000, 10, 100_000),
    redisMaxExamine: int(c, 'redis.maxKeysExaminedPerPage', 100_000, 1000, 10_000_000),
    redisGrouping: c.get<string>('redis.grouping') === 'namespace' ? 'namespace' : 'type',
    valueItems: int(c, 'redis.valueItems', 1000, 10, 100_000),
    maxValueBytes: int(c, 'redis.maxValueBytes', 1_048_576, 1024, 104_857_600),
    maxEditableItems: int(c, 'redis.maxEditableItems', 10_000, 1, 1_000_000),
    rabbitPageSize: int(c, 'rabbitmq.pageSize', 100, 1, 500),
    tailMaxLines: int(c, 'tailMaxLines', 5000, 100, 1_000_000),
    tailBufferSize: int(c, 'tailBufferSize', 10_000, 10, 1_000_000),
  };
}
