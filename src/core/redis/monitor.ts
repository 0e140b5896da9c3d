/**
 * MONITOR as a tail: a dedicated RESP connection switched to MONITOR, each
 * line the server pushes parsed (time, db, client, command as the server
 * quotes it) into a bounded ring (TailBuffer). MONITOR only reads, so
 * read-only profiles allow it; it costs the server throughput while it
 * runs, which the ui says before starting. A lost connection ends the tail
 * (no reconnect: commands run meanwhile could not be shown anyway).
 */
import * as l10n from '@vscode/l10n';
import { EventEmitter } from 'node:events';
import { BrokerError } from '../errors';
import { DEFAULT_TAIL_BUFFER_SIZE, TailBuffer, type TailBatch } from '../tailBuffer';
import type { RedisReply } from './reply';
import type { RespClient } from './respClient';

export interface MonitorLine {
  /** Server time in milliseconds. */
  time: number;
  db: number;
  /** `ip:port`, `unix:/path` or `lua`. */
  source: string;
  /** The command as the server quotes it: `"set" "k" "v"`. */
  command: string;
}

/** Parses one MONITOR line: `1700000000.123456 [0 127.0.0.1:50712] "set" "k" "v"`; undefined when it is not one. */
export function parseMonitorLine(line: string): MonitorLine | undefined {
  const m = /^(\d+(?:\.\d+)?) \[(\d+) ([^\]]*)\] (.*)$/s.exec(line);
  if (!m) return undefined;
  return { time: Math.round(Number(m[1]) * 1000), db: Number(m[2]), source: m[3], command: m[4] };
}

export interface MonitorEvents {
  /** The connection ended (with the sentence why); the ring still holds what came. */
  ended: [reason: string];
  /** The ring started dropping the oldest lines. */
  dropping: [capacity: number];
  /** A batch of lines (for an output channel). */
  lines: [lines: readonly MonitorLine[]];
}

export class MonitorTail extends EventEmitter<MonitorEvents> {
  private client: RespClient | undefined;
  private readonly buffer: TailBuffer<MonitorLine>;
  private active = false;
  received = 0;

  constructor(
    private readonly open: () => Promise<RespClient>,
    bufferSize: number = DEFAULT_TAIL_BUFFER_SIZE,
  ) {
    super();
    this.buffer = new TailBuffer<MonitorLine>(bufferSize, (capacity) => this.emit('dropping', capacity));
  }

  get running(): boolean {
    return this.active;
  }

  get dropped(): number {
    return this.buffer.dropped;
  }

  /** Opens the connection and resolves once the server answered MONITOR with OK. */
  async start(): Promise<void> {
    const client = await this.open();
    this.client = client;
    let pending: MonitorLine[] = [];
    client.on('push', (reply: RedisReply) => {
      if (reply.type !== 'status') return;
      const line = parseMonitorLine(reply.value);
      if (!line) return;
      this.received++;
      this.buffer.push(line);
      if (pending.length === 0)
        setImmediate(() => {
          const batch = pending;
          pending = [];
          this.emit('lines', batch);
        });
      pending.push(line);
    });
    client.on('close', (reason) => {
      if (!this.active) return;
      this.active = false;
      this.buffer.close();
      this.emit('ended', reason.message);
    });
    const reply = await client.send([Buffer.from('MONITOR')]);
    if (reply.type === 'error') {
      client.close();
      throw new BrokerError(l10n.t('The server refused MONITOR: {0}.', reply.message));
    }
    this.active = true;
  }

  readBatch(take: number, timeoutMs: number): Promise<TailBatch<MonitorLine>> {
    return this.buffer.readBatch({ take, timeoutMs });
  }

  /** Closes the connection; lines already received stay readable. */
  stop(): void {
    this.active = false;
    this.buffer.close();
    this.client?.close();
  }
}
