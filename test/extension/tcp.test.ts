import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { api, exec } from './util';

export function registerTcpTests(): void {
  describe('raw TCP session command', () => {
    let server: Server;
    let port = 0;
    before(async () => {
      server = createServer((socket) => {
        socket.on('data', (d) => socket.write(d));
        socket.on('error', () => undefined);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    after(() => server.close());

    it('sends, receives the echo and reports the events in order', async () => {
      const result = await exec<{ id: string; events: string[]; received?: unknown }>('brokerExplorer.tcp.open', {
        host: '127.0.0.1',
        port,
        send: 'hello',
        take: 5,
        timeoutMs: 5000,
      });
      assert.equal(result.received, 'hello');
      assert.match(result.events[0], /^connectionMade /);
      assert.match(result.events[1], /^dataReceived 5 bytes/);
      assert.match(result.events[result.events.length - 1], /^connectionLost/);
    });

    it('keeps a session open as a tail that tails.read and tails.stop reach', async () => {
      const a = await api();
      const opened = await exec<{ id: string }>('brokerExplorer.tcp.open', {
        host: '127.0.0.1',
        port,
        send: { hex: '00ff01' },
        take: 3,
        timeoutMs: 5000,
        keep: true,
      });
      assert.ok(opened.id);
      assert.ok(a.tails.list('tcp').some((t) => t.id === opened.id));
      assert.deepEqual(await exec('brokerExplorer.tails.stop', { id: opened.id }), { stopped: true });
      assert.deepEqual(await exec('brokerExplorer.tails.stop', { id: opened.id }), { stopped: false });
    });

    it('reports a refused port as connectionFailed at once', async () => {
      const started = Date.now();
      const result = await exec<{ events: string[]; error?: string }>('brokerExplorer.tcp.open', {
        host: '127.0.0.1',
        port: 1,
        take: 1,
        timeoutMs: 5000,
      });
      assert.match(result.events.join('\n'), /connectionFailed/);
      assert.match(result.error ?? '', /refused/);
      assert.ok(Date.now() - started < 3000);
    });
  });
}
