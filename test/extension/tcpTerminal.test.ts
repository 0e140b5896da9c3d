/**
 * The raw TCP terminal against a node:net echo server of the test's own:
 * typed lines are sent with the line ending, the echo comes back, binary
 * bytes are shown as a hex dump, the transport's events are printed
 * (connectionMade, dataReceived, connectionLost), and Ctrl+C closes the
 * session. Once opened directly (openTcpTerminal with vscode.window), once
 * through brokerExplorer.tcp.open from a Redis profile node.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import * as vscode from 'vscode';
import { openTcpTerminal } from '../../src/ui/views/tcpTerminal';
import { api, exec, plainText, scriptPrompts, uniqueName, waitFor } from './util';

const BINARY = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x01, 0x02, 0xfe, 0x7f]);

interface Pty {
  onDidWrite: vscode.Event<string>;
  onDidClose?: vscode.Event<number | void>;
  handleInput?(data: string): void;
}

export function registerTcpTerminalTests(): void {
  describe('TCP terminal', () => {
    let server: Server;
    let port = 0;
    const received: Buffer[] = [];
    const sockets: Socket[] = [];

    before(async () => {
      server = createServer((socket) => {
        sockets.push(socket);
        socket.on('error', () => undefined);
        socket.on('data', (d) => {
          received.push(d);
          // "bin" asks for binary bytes; anything else is echoed.
          if (d.toString() === 'bin\r\n') socket.write(BINARY);
          else socket.write(d);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    after(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });

    it('echoes a typed line, shows binary as hex and the events, and Ctrl+C closes it', async function () {
      this.timeout(20_000);
      const opened = openTcpTerminal(vscode.window, { host: '127.0.0.1', port, lineEnding: '\r\n', name: uniqueName('tcp') });
      let out = '';
      const listening = opened.pty.onDidWrite((text) => (out += text));
      let closed = false;
      opened.pty.onDidClose(() => (closed = true));
      try {
        await opened.connected;
        await waitFor('connectionMade in the terminal', () => (plainText(out).includes('connectionMade') ? true : undefined));
        assert.match(plainText(out), new RegExp(`TCP session to 127\\.0\\.0\\.1:${port}`));
        assert.match(plainText(out), new RegExp(`connectionMade 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${port}`));

        opened.pty.handleInput('hello');
        opened.pty.handleInput('\r');
        await waitFor('the echo', () => (/dataReceived 7 bytes[^\n]*\n+hello\n/.test(plainText(out)) ? true : undefined), 5_000);
        assert.deepEqual(Buffer.concat(received).toString(), 'hello\r\n', 'the line was sent with \\r\\n');

        // Typing with Backspace edits the line before it is sent.
        opened.pty.handleInput('binx\x7f\r');
        await waitFor('the hex dump', () => (plainText(out).includes('dataReceived 8 bytes') ? true : undefined), 5_000);
        assert.match(plainText(out), /00000000 {2}00 ff 10 80 01 02 fe 7f/);

        opened.pty.handleInput('\x03');
        await waitFor('connectionLost', () => (plainText(out).includes('connectionLost') ? true : undefined), 5_000);
        assert.match(plainText(out), /\^C/);
        assert.match(plainText(out), /connectionLost: closed cleanly by us/);
        assert.equal(opened.session.state, 'closed');
        const order = ['connectionMade', 'dataReceived 7 bytes', 'dataReceived 8 bytes', 'connectionLost'].map((e) =>
          plainText(out).indexOf(e),
        );
        assert.deepEqual(
          [...order].sort((a, b) => a - b),
          order,
          'the events in the order they happened',
        );
        // After the session ended, any key closes the terminal.
        opened.pty.handleInput('x');
        await waitFor('the terminal to close', () => (closed ? true : undefined), 5_000);
      } finally {
        listening.dispose();
        opened.terminal.dispose();
      }
    });

    it('opens from a Redis profile node through brokerExplorer.tcp.open, registered as a tail until Ctrl+C', async function () {
      this.timeout(20_000);
      const a = await api();
      const name = uniqueName('tcp-profile');
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port } });
      const prompts = await scriptPrompts(['\\n']);
      let terminal: vscode.Terminal | undefined;
      try {
        await a.redisTree.children(undefined);
        const node = a.redisTree.profileNode(name);
        assert.ok(node);
        const result = await exec<{ id: string; events: string[] }>('brokerExplorer.tcp.open', node);
        assert.match(result.events[0] ?? '', /^connectionMade /);
        assert.ok(
          a.tails.list('tcp').some((t) => t.id === result.id),
          'the session is a running tail',
        );
        terminal = vscode.window.terminals.find((t) => t.name === `TCP ⟫ 127.0.0.1:${port}`);
        assert.ok(terminal, vscode.window.terminals.map((t) => t.name).join(', '));
        const pty = (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty as Pty;
        assert.ok(pty.handleInput !== undefined);
        let out = '';
        const listening = pty.onDidWrite((text) => (out += text));
        received.length = 0;
        pty.handleInput('ping\r');
        await waitFor('the echo', () => (/dataReceived 5 bytes[^\n]*\n+ping\n/.test(plainText(out)) ? true : undefined), 5_000);
        assert.equal(Buffer.concat(received).toString(), 'ping\n', 'the line ending picked (\\n) was used');
        pty.handleInput('\x03');
        await waitFor('connectionLost', () => (plainText(out).includes('connectionLost: closed cleanly by us') ? true : undefined), 5_000);
        await waitFor('the tail to stop', () => (a.tails.list('tcp').some((t) => t.id === result.id) ? undefined : true), 5_000);
        listening.dispose();
      } finally {
        prompts.restore();
        terminal?.dispose();
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      }
    });
  });
}
