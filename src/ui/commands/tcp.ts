/**
 * brokerExplorer.tcp.open: a raw TCP session. With arguments it connects,
 * sends, waits and returns the events; from the palette or a profile it
 * opens a terminal that shows every event and byte as it happens.
 */
import * as vscode from 'vscode';
import { fromBuffer } from '../../core/bytes';
import { InputError } from '../../core/errors';
import { checkHost, checkPort, type TlsOptions } from '../../core/profiles';
import { openTcp, parseTcpOpenArgs } from '../../core/tcp/openTcp';
import type { TcpSession } from '../../core/tcp/tcpSession';
import type { TailRegistry } from '../tails/tailRegistry';
import { openTcpTerminal, type LineEnding } from '../views/tcpTerminal';
import type { ProfileBearingNode } from './profilePicker';
import type { CommandCall, CommandSpec } from './registry';

/**
 * Registers an open session so tails.read / tails.stop reach it. A TCP session buffers bytes, not messages
 * (its own byte cap, in core/tcp): `take` counts bytes, and `dropped` counts the bytes it dropped since the last read.
 */
function registerSession(registry: TailRegistry, session: TcpSession, show?: () => void): string {
  let droppedTotal = 0;
  const tail = registry.add({
    kind: 'tcp',
    label: `TCP ${session.endpoint}`,
    count: () => session.receivedTotal,
    dropped: () => droppedTotal,
    running: () => session.state === 'open' || session.state === 'connecting',
    read: async (take, timeoutMs) => {
      await session.waitForBytes(take, timeoutMs);
      const taken = session.takeReceived();
      droppedTotal += taken.droppedBytes;
      return { messages: taken.data.length > 0 ? [fromBuffer(taken.data)] : [], dropped: taken.droppedBytes };
    },
    stop: () => session.close(),
    ...(show ? { show } : {}),
  });
  void session.whenClosed().then(() => registry.stop(tail.id));
  return tail.id;
}

function endpointOf(node: unknown): { host: string; port: number; tls?: TlsOptions } | undefined {
  const profile = (node as Partial<ProfileBearingNode> | undefined)?.profile;
  if (!profile) return undefined;
  const out: { host: string; port: number; tls?: TlsOptions } = { host: profile.host, port: profile.port };
  if (profile.tls) out.tls = profile.tls;
  return out;
}

async function open(registry: TailRegistry, call: CommandCall): Promise<unknown> {
  if (call.args) {
    const args = parseTcpOpenArgs(call.args);
    const result = await openTcp(args);
    const { session, ...rest } = result;
    if (session) return { id: registerSession(registry, session), ...rest };
    return { id: '', ...rest };
  }
  const fromProfile = endpointOf(call.node);
  const host = fromProfile?.host ?? (await call.prompts.ask('TCP session: host', { value: '127.0.0.1', validate: (v) => checkHost(v) }));
  const port = fromProfile?.port ?? Number(await call.prompts.ask('TCP session: port', { validate: (v) => checkPort(v) }));
  let tls: TlsOptions | undefined = fromProfile?.tls;
  if (!fromProfile) {
    const useTls = await call.prompts.pick(['Plain TCP', 'TLS'], { title: 'TCP session: transport' });
    if (useTls === 'TLS') tls = { enabled: true };
  }
  const ending = (
    await call.prompts.pick<vscode.QuickPickItem & { value: LineEnding }>(
      [
        { label: '\\r\\n', description: 'CRLF: Redis, HTTP, SMTP', value: '\r\n' },
        { label: '\\n', description: 'LF', value: '\n' },
        { label: 'none', description: 'send exactly what is typed', value: '' },
      ],
      { title: 'Line ending sent after each line' },
    )
  ).value;
  const opened = openTcpTerminal(vscode.window, { host, port, ...(tls ? { tls } : {}), lineEnding: ending });
  const id = registerSession(registry, opened.session, () => opened.terminal.show());
  try {
    await opened.connected;
  } catch {
    // The terminal shows connectionFailed with its sentence.
  }
  return { id, events: opened.session.events };
}

export function tcpCommands(registry: TailRegistry): CommandSpec[] {
  return [
    {
      id: 'brokerExplorer.tcp.open',
      run: async (call) => {
        if (call.args && typeof call.args.host !== 'string') throw new InputError('Opening a TCP session needs "host" and "port".');
        return open(registry, call);
      },
    },
  ];
}
