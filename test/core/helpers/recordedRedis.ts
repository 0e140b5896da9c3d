/**
 * A RESP server on 127.0.0.1 that answers with replies recorded from a real
 * server (a module's commands, where the module cannot be installed here)
 * and keeps every command it received, so a test can check the exact
 * command shapes a client sent. The connection handshake (INFO, CLIENT,
 * SELECT) is answered like a plain Redis 7.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import { RespReader } from '../../../src/core/redis/respParser';
import type { RedisReply } from '../../../src/core/redis/reply';

/** A recorded reply, as raw RESP text (`+OK\r\n`, `$3\r\nabc\r\n`, …), or a function of the command's argv. */
export type Recorded = string | ((argv: Buffer[]) => string);

export function bulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

const HANDSHAKE: Record<string, Recorded> = {
  INFO: bulk('# Server\r\nredis_version:7.2.4\r\n# Persistence\r\nloading:0\r\n'),
  CLIENT: '+OK\r\n',
  SELECT: '+OK\r\n',
  QUIT: '+OK\r\n',
};

export class RecordedRedis {
  /** Every command received, in order (the handshake's too). */
  readonly commands: Buffer[][] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** Listens on a free port; `replies` by upper-case command name. MULTI queues: replies `+QUEUED`, EXEC the queued replies. */
  static async start(replies: Record<string, Recorded>): Promise<RecordedRedis> {
    const table = { ...HANDSHAKE, ...replies };
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const self = new RecordedRedis(server, address.port);
    server.on('connection', (socket: net.Socket) => {
      self.sockets.add(socket);
      socket.on('close', () => self.sockets.delete(socket));
      let queued: string[] | undefined;
      const reader = new RespReader((reply: RedisReply) => {
        if (reply.type !== 'array') return;
        const argv = reply.items.map((i) => (i.type === 'bulk' ? i.value : Buffer.alloc(0)));
        self.commands.push(argv);
        const name = argv[0]?.toString('latin1').toUpperCase() ?? '';
        const answer = (): string => {
          const r = table[name];
          if (r === undefined) return `-ERR unknown command '${name}', with args beginning with: \r\n`;
          return typeof r === 'function' ? r(argv) : r;
        };
        if (name === 'MULTI') {
          queued = [];
          socket.write('+OK\r\n');
        } else if (name === 'EXEC') {
          const results = queued ?? [];
          queued = undefined;
          socket.write(`*${results.length}\r\n${results.join('')}`);
        } else if (queued && name !== 'WATCH') {
          queued.push(answer());
          socket.write('+QUEUED\r\n');
        } else socket.write(answer());
      });
      socket.on('data', (chunk: Buffer) => reader.feed(chunk));
      socket.on('error', () => undefined);
    });
    return self;
  }

  /** The commands received other than the handshake's, as text, command names in upper case. */
  sent(): string[][] {
    return this.commands
      .filter((c) => !['INFO', 'CLIENT', 'SELECT', 'QUIT'].includes(c[0]?.toString('latin1').toUpperCase() ?? ''))
      .map((c) => c.map((b, i) => (i === 0 ? b.toString('utf8').toUpperCase() : b.toString('utf8'))));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    await once(this.server, 'close');
  }
}
