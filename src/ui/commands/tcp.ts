/**
 * brokerExplorer.tcp.open: a raw TCP session. With arguments it connects,
 * sends, waits and returns the events; from the palette or a profile it
 * opens a terminal that shows every event and byte as it happens. With a
 * profile (its node, or `profile` in the arguments) the session goes through
 * that profile's SSH tunnel, sharing it by reference count with the pools,
 * and lets go of it when the session closes.
 */
import * as vscode from 'vscode';
import { fromBuffer } from '../../core/bytes';
import { InputError, NotFoundError, errorMessage } from '../../core/errors';
import type { Reach, Reached } from '../../core/net/reach';
import { sshChainKey } from '../../core/net/sshTunnel';
import { checkHost, checkPort, type ProfileKind, type ResolvedProfile, type TlsOptions } from '../../core/profiles';
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

export interface TcpCommandDeps {
  registry: TailRegistry;
  /** The profiles by kind, to find the one named by `profile`. */
  profiles: { list(kind: ProfileKind): ResolvedProfile[] };
  /** How a profile reaches an address: directly, or through its SSH tunnel. */
  reach: Reach<ResolvedProfile>;
}

/** The profile named `name` (of `kind` when given); a name both kinds use needs `kind`. */
function profileNamed(deps: TcpCommandDeps, name: string, kind: ProfileKind | undefined): ResolvedProfile {
  const kinds: ProfileKind[] = kind ? [kind] : ['redis', 'rabbitmq'];
  const found = kinds.flatMap((k) => deps.profiles.list(k).filter((p) => p.name === name));
  if (found.length === 0)
    throw new NotFoundError(
      kind
        ? vscode.l10n.t('TCP session: there is no {0} profile "{1}": add it first.', kind, name)
        : vscode.l10n.t('TCP session: there is no profile "{0}": add it first.', name),
    );
  if (found.length > 1)
    throw new InputError(
      vscode.l10n.t('TCP session: a Redis and a RabbitMQ profile are both named "{0}": add "kind": "redis" or "rabbitmq".', name),
    );
  return found[0];
}

/** Where a session through `profile` dials (a forward of its tunnel), and how it is named in the events. */
async function reachThrough(
  deps: TcpCommandDeps,
  profile: ResolvedProfile | undefined,
  host: string,
  port: number,
): Promise<{ reached?: Reached; viaLabel?: string }> {
  if (!profile?.ssh) return {};
  return { reached: await deps.reach(profile, host, port), viaLabel: `SSH ${sshChainKey(profile.ssh)}` };
}

async function openWithArgs(deps: TcpCommandDeps, raw: Record<string, unknown>): Promise<unknown> {
  const args = parseTcpOpenArgs(raw);
  const profile = args.profile === undefined ? undefined : profileNamed(deps, args.profile, args.kind);
  let through: Awaited<ReturnType<typeof reachThrough>>;
  try {
    through = await reachThrough(deps, profile, args.host, args.port);
  } catch (err) {
    // Like a refused port: a tunnel that cannot be made is a failed connection, not a failed call.
    const reason = errorMessage(err);
    return { id: '', events: [`connectionFailed: ${reason}`], error: reason };
  }
  const result = await openTcp(args, through);
  const { session, ...rest } = result;
  if (session) return { id: registerSession(deps.registry, session), ...rest };
  return { id: '', ...rest };
}

async function open(deps: TcpCommandDeps, call: CommandCall): Promise<unknown> {
  if (call.args) return openWithArgs(deps, call.args);
  const nodeProfile = (call.node as Partial<ProfileBearingNode> | undefined)?.profile;
  const fromProfile = nodeProfile ? { host: nodeProfile.host, port: nodeProfile.port, tls: nodeProfile.tls } : undefined;
  const host =
    fromProfile?.host ??
    (await call.prompts.ask(vscode.l10n.t('TCP session: host'), { value: '127.0.0.1', validate: (v) => checkHost(v) }));
  const port = fromProfile?.port ?? Number(await call.prompts.ask(vscode.l10n.t('TCP session: port'), { validate: (v) => checkPort(v) }));
  let tls: TlsOptions | undefined = fromProfile?.tls;
  if (!fromProfile) {
    const useTls = await call.prompts.pick([vscode.l10n.t('Plain TCP'), 'TLS'], { title: vscode.l10n.t('TCP session: transport') });
    if (useTls === 'TLS') tls = { enabled: true };
  }
  const ending = (
    await call.prompts.pick<vscode.QuickPickItem & { value: LineEnding }>(
      [
        { label: '\\r\\n', description: 'CRLF: Redis, HTTP, SMTP', value: '\r\n' },
        { label: '\\n', description: 'LF', value: '\n' },
        { label: vscode.l10n.t('none'), description: vscode.l10n.t('send exactly what is typed'), value: '' },
      ],
      { title: vscode.l10n.t('Line ending sent after each line') },
    )
  ).value;
  const { reached, viaLabel } = await reachThrough(deps, nodeProfile, host, port);
  const via = reached?.tunnelled ? { via: { host: reached.host, port: reached.port, label: viaLabel ?? 'an SSH tunnel' } } : {};
  const opened = openTcpTerminal(vscode.window, { host, port, ...(tls ? { tls } : {}), ...via, lineEnding: ending });
  if (reached) void opened.session.whenClosed().then(() => reached.release());
  const id = registerSession(deps.registry, opened.session, () => opened.terminal.show());
  try {
    await opened.connected;
  } catch {
    // The terminal shows connectionFailed with its sentence.
  }
  return { id, events: opened.session.events };
}

export function tcpCommands(deps: TcpCommandDeps): CommandSpec[] {
  return [
    {
      id: 'brokerExplorer.tcp.open',
      run: async (call) => {
        if (call.args && typeof call.args.host !== 'string')
          throw new InputError(vscode.l10n.t('Opening a TCP session needs "host" and "port".'));
        return open(deps, call);
      },
    },
  ];
}
