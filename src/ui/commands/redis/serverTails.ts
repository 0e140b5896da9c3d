/**
 * MONITOR and keyspace notifications as tails. MONITOR only reads (so
 * read-only profiles allow it) but costs the server a lot while it runs:
 * the palette says so and asks first; an API call is the consent. Keyspace
 * notifications need `notify-keyspace-events`: it is turned on only with
 * the user's consent (`enable: true` through the API), and the old value is
 * put back when the last notification tail of that profile stops.
 */
import * as vscode from 'vscode';
import { InputError, errorMessage } from '../../../core/errors';
import { formatCount } from '../../../core/units';
import {
  enableKeyspaceEvents,
  keyspacePattern,
  readNotificationSetting,
  restoreKeyspaceEvents,
} from '../../../core/redis/keyspaceNotifications';
import { MonitorTail, type MonitorLine } from '../../../core/redis/monitor';
import { openRespClient } from '../../../core/redis/respClient';
import { oneServer } from '../../../core/redis/redisClient';
import { startSubscriptionTail } from '../../redis/subscriptionTail';
import { droppingLine, TailOutput, timestamp } from '../../tails/tailOutput';
import { bool, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import type { RedisUiDeps } from './redisTarget';
import { parseNode, withServer, type ServerTarget } from './serverTarget';

/** What MONITOR costs, said before it starts. */
export function monitorWarning(): string {
  return vscode.l10n.t(
    "MONITOR streams every command the server runs to this window. It can cut a busy server's throughput by half or more: use it briefly, and not on a loaded production server.",
  );
}

const monitorLine = (l: MonitorLine): string => `${timestamp(l.time)}  db${l.db}  ${l.source}  ${l.command}`;

async function openMonitor(deps: RedisUiDeps, t: ServerTarget): Promise<MonitorTail> {
  const password = t.node !== undefined ? await deps.profiles.password(t.profile) : undefined;
  const open = (): ReturnType<ServerTarget['session']['resp']> => {
    if (t.node === undefined) return t.session.resp('monitor');
    const { host, port } = parseNode(t.node);
    return openRespClient(
      { ...t.profile, mode: 'standalone', host, port, db: 0 },
      { connectionName: 'broker-explorer:monitor', ...(password !== undefined ? { password } : {}) },
    );
  };
  const tail = new MonitorTail(open, deps.settings().tailBufferSize);
  await tail.start();
  return tail;
}

async function monitor(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  return withServer(deps, call, 'MONITOR', async (t) => {
    if (call.interactive)
      await call.prompts.confirm(vscode.l10n.t('Start MONITOR on {0}?', t.where), vscode.l10n.t('Start MONITOR'), monitorWarning());
    const name = t.node ?? t.profile.name;
    const output = new TailOutput(`Redis ⟫ ${name} ⟫ MONITOR`, deps.settings().tailMaxLines, (text) => deps.log.redact(text));
    let tail: MonitorTail;
    try {
      tail = await openMonitor(deps, t);
    } catch (err) {
      output.dispose();
      throw err;
    }
    tail.on('lines', (lines) => output.appendAllLazy(lines, monitorLine));
    tail.on('dropping', (capacity) => output.append(droppingLine(capacity)));
    output.append(`${timestamp()}  ── ${vscode.l10n.t('MONITOR on {0}', t.where)} ──`);
    const registered = deps.tails.add({
      kind: 'redis',
      profile: t.profile.name,
      label: `MONITOR${t.node ? ` ${t.node}` : ''}`,
      count: () => tail.received,
      dropped: () => tail.dropped,
      running: () => tail.running,
      read: async (take, timeoutMs) => {
        const batch = await tail.readBatch(take, timeoutMs);
        return { messages: batch.messages, dropped: batch.dropped };
      },
      stop: () => {
        tail.stop();
        output.append(`${timestamp()}  ── ${vscode.l10n.t('stopped after {0} commands', formatCount(tail.received))} ──`);
        output.flush();
        return Promise.resolve();
      },
      show: () => output.show(),
      dispose: () => output.dispose(),
    });
    tail.on('ended', (reason) => {
      output.append(`${timestamp()}  ── ${vscode.l10n.t('ended: {0}', reason)} ──`);
      deps.tails.stop(registered.id).catch(() => undefined);
    });
    if (call.interactive) output.show();
    return { id: registered.id };
  });
}

/** Who turned notifications on, per profile: the value to put back once the last of its tails stops. */
class NotificationConsents {
  private readonly held = new Map<string, { users: number; previous: string }>();

  /** Counts a tail in; `changed` says whether its start turned notifications on. */
  /** Counts a tail in when notifications were turned on for it or for a tail still running; true when it may have to restore. */
  hold(profile: string, changed: boolean, previous: string): boolean {
    const entry = this.held.get(profile);
    if (entry) entry.users++;
    else if (changed) this.held.set(profile, { users: 1, previous });
    return entry !== undefined || changed;
  }

  /** Counts a tail out; the value to restore when it was the last one. */
  release(profile: string): string | undefined {
    const entry = this.held.get(profile);
    if (!entry || --entry.users > 0) return undefined;
    this.held.delete(profile);
    return entry.previous;
  }
}

/** When notifications are off: the read-only guard, then the user's consent (palette) or `enable: true` (API). */
async function askToEnable(call: CommandCall, t: ServerTarget): Promise<void> {
  const setting = await readNotificationSetting(t.client);
  if (setting.on) return;
  t.session.assertWritable(vscode.l10n.t('turning on keyspace notifications (CONFIG SET notify-keyspace-events)'));
  if (call.args && bool(call.args, 'enable') !== true)
    throw new InputError(
      vscode.l10n.t(
        'notify-keyspace-events is "{0}" on {1}, so no keyspace events are published: pass "enable": true to turn them on for the tail (the old value is restored when it stops).',
        setting.value,
        t.where,
      ),
    );
  if (!call.args)
    await call.prompts.confirm(
      vscode.l10n.t(
        'notify-keyspace-events is "{0}" on {1}, so no keyspace events are published. Turn them on while the tail runs?',
        setting.value,
        t.where,
      ),
      vscode.l10n.t('Turn On'),
      vscode.l10n.t(
        'The server then publishes an event for every key change (a small cost on busy servers). "{0}" is restored when the tail stops.',
        setting.value,
      ),
    );
}

async function keyspaceEvents(deps: RedisUiDeps, call: CommandCall, consents: NotificationConsents): Promise<unknown> {
  return withServer(
    deps,
    call,
    vscode.l10n.t('Keyspace Notifications'),
    async (t) => {
      if (t.node !== undefined)
        throw new InputError(
          vscode.l10n.t('Keyspace notifications of one cluster node are not offered yet: use a standalone or sentinel profile.'),
        );
      const match = call.args
        ? (str(call.args, 'match') ?? '*')
        : await call.prompts.ask(vscode.l10n.t('Keyspace notifications of db{0} of {1}: keys matching', t.db, t.where), { value: '*' });
      await askToEnable(call, t);
      const enabled = await enableKeyspaceEvents(t.session, t.client);
      const session = t.session;
      // A connection of the tail's own puts the old value back: the pool may be closing when the tail stops (deactivate).
      const restorer = consents.hold(t.profile.name, enabled.changed, enabled.previous)
        ? await session
            .dedicated('notify-restore')
            .then(oneServer)
            .catch(async (err: unknown) => {
              const previous = consents.release(t.profile.name);
              if (previous !== undefined) await restoreKeyspaceEvents(t.client, previous);
              throw err;
            })
        : undefined;
      const restore = async (): Promise<void> => {
        const previous = restorer ? consents.release(t.profile.name) : undefined;
        try {
          if (restorer && previous !== undefined) await restoreKeyspaceEvents(restorer, previous);
        } catch (err) {
          deps.log.error(`Restoring notify-keyspace-events "${previous}" on ${t.where} failed: ${errorMessage(err)}`);
          throw new InputError(
            vscode.l10n.t(
              'Restoring notify-keyspace-events to "{0}" on {1} failed ({2}); set it back with CONFIG SET.',
              previous ?? '',
              t.where,
              errorMessage(err),
            ),
          );
        } finally {
          restorer?.disconnect();
        }
      };
      let started;
      try {
        started = await startSubscriptionTail(deps.tails, {
          profile: t.profile,
          db: t.db,
          channels: [],
          patterns: [Buffer.from(keyspacePattern(t.db, match))],
          open: () => session.dedicated('notifications'),
          settings: deps.settings(),
          redact: (text) => deps.log.redact(text),
        });
      } catch (err) {
        await restore();
        throw err;
      }
      const { tail, output } = started;
      if (enabled.changed)
        output.append(
          `${timestamp()}  ── ${vscode.l10n.t('notify-keyspace-events turned on ("{0}"); "{1}" comes back when this tail stops', enabled.current, enabled.previous)} ──`,
        );
      const stop = tail.stop.bind(tail);
      tail.stop = async (): Promise<void> => {
        try {
          await stop();
        } finally {
          await restore();
        }
      };
      if (call.interactive) output.show();
      return { id: tail.id, enabled: enabled.changed };
    },
    true,
  );
}

export function redisServerTailCommands(deps: RedisUiDeps): CommandSpec[] {
  const consents = new NotificationConsents();
  return [
    { id: 'brokerExplorer.redis.monitor', run: (call) => monitor(deps, call) },
    { id: 'brokerExplorer.redis.keyspaceEvents', run: (call) => keyspaceEvents(deps, call, consents) },
  ];
}
