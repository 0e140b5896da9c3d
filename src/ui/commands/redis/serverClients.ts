/**
 * CLIENT LIST (sortable; pick a client to kill it after a confirmation,
 * refused on read-only profiles) and SLOWLOG (GET shown like the console's
 * command lines; RESET after a confirmation).
 */
import * as vscode from 'vscode';
import { CLIENT_SORTS, clientSummary, killClient, listClients, sortClients } from '../../../core/redis/clientList';
import { readSlowlog, resetSlowlog, slowlogCommand, slowlogLine } from '../../../core/redis/slowlog';
import { clientLines } from '../../views/serverReports';
import { num, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import type { RedisUiDeps } from './redisTarget';
import { withServer } from './serverTarget';

async function clientList(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  return withServer(deps, call, vscode.l10n.t('Clients'), async (t) => {
    const sortBy = call.args
      ? (str(call.args, 'sort') ?? 'id')
      : await call.prompts.pick(CLIENT_SORTS, { title: vscode.l10n.t('Clients of {0}: sort by', t.where) });
    const clients = sortClients(await listClients(t.client), sortBy);
    if (!call.interactive) return { clients };
    const doc = deps.results.create(vscode.l10n.t('Clients {0}', t.node ?? t.profile.name));
    doc.append(...clientLines(clients, sortBy));
    doc.flush();
    await deps.results.open(doc.uri);
    const picked = await call.prompts.pick(
      clients.map((c) => ({ label: `${c.addr ?? '?'}${c.name ? `  "${c.name}"` : ''}`, description: clientSummary(c), id: c.id ?? '' })),
      {
        title: vscode.l10n.t('{0} clients of {1} by {2}: pick one to kill it (Escape to keep all)', clients.length, t.where, sortBy),
        matchOnDescription: true,
      },
    );
    t.session.assertWritable(`CLIENT KILL ID ${picked.id}`);
    await call.prompts.confirm(
      vscode.l10n.t('Kill client {0} (id {1}) on {2}?', picked.label, picked.id, t.where),
      vscode.l10n.t('Kill'),
      vscode.l10n.t('Its connection is closed at once.'),
    );
    await killClient(t.session, t.client, picked.id, t.where);
    call.prompts.info(vscode.l10n.t('Client {0} on {1} was killed.', picked.id, t.where));
    return undefined;
  });
}

async function clientKill(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  if (!call.args) return clientList(deps, call);
  const args = call.args;
  return withServer(deps, call, 'CLIENT KILL', async (t) => {
    const id = args.id;
    await killClient(t.session, t.client, typeof id === 'number' ? String(id) : (str(args, 'id', true) ?? ''), t.where);
    return {};
  });
}

async function slowlog(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const count = call.args ? (num(call.args, 'count', { min: 1, max: 10_000 }) ?? 128) : 128;
  return withServer(deps, call, vscode.l10n.t('Slow Log'), async (t) => {
    const entries = await readSlowlog(t.client, count);
    if (!call.interactive) {
      return {
        entries: entries.map((e) => ({
          id: e.id,
          time: e.time,
          durationUs: e.durationUs,
          command: slowlogCommand(e),
          ...(e.client !== undefined ? { client: e.client } : {}),
          ...(e.clientName !== undefined ? { clientName: e.clientName } : {}),
        })),
      };
    }
    const header = `# ${vscode.l10n.t('SLOWLOG GET {0} of {1}: {2} entries, newest first', count, t.where, entries.length)}`;
    await deps.results.show(vscode.l10n.t('Slow log {0}', t.node ?? t.profile.name), [header, '', ...entries.map(slowlogLine)].join('\n'));
    return undefined;
  });
}

async function slowlogReset(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  return withServer(deps, call, 'SLOWLOG RESET', async (t) => {
    if (call.interactive) {
      t.session.assertWritable('SLOWLOG RESET');
      await call.prompts.confirm(
        vscode.l10n.t('Empty the slow log of {0}?', t.where),
        vscode.l10n.t('Reset'),
        vscode.l10n.t('SLOWLOG RESET drops every entry.'),
      );
    }
    await resetSlowlog(t.session, t.client);
    return {};
  });
}

export function redisServerClientCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.clientList', run: (call) => clientList(deps, call) },
    { id: 'brokerExplorer.redis.clientKill', run: (call) => clientKill(deps, call) },
    { id: 'brokerExplorer.redis.slowlog', run: (call) => slowlog(deps, call) },
    { id: 'brokerExplorer.redis.slowlogReset', run: (call) => slowlogReset(deps, call) },
  ];
}
