/**
 * INFO (sections with units), configuration (CONFIG GET searchable in a
 * quick pick, CONFIG SET after a confirmation, refused on read-only
 * profiles) and the latency / memory report, from the palette, the "Server"
 * node or the command API.
 */
import * as vscode from 'vscode';
import { readConfig, writeConfig } from '../../../core/redis/serverConfig';
import { latencyLatest, memoryDoctor, memoryStats } from '../../../core/redis/serverHealth';
import { readInfo, renderInfo } from '../../../core/redis/serverInfo';
import { configLine, latencyMemoryLines } from '../../views/serverReports';
import { str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import type { RedisUiDeps } from './redisTarget';
import { withServer, type ServerTarget } from './serverTarget';

async function serverInfo(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const section = call.args ? str(call.args, 'section') : undefined;
  return withServer(deps, call, vscode.l10n.t('Server Info'), async (t) => {
    const sections = await readInfo(t.client, section);
    if (!call.interactive) return { sections };
    await deps.results.show(
      `INFO ${t.node ?? t.profile.name}`,
      [`# ${vscode.l10n.t('INFO of {0}', t.where)}`, '', ...renderInfo(sections)].join('\n'),
    );
    return undefined;
  });
}

async function setSetting(deps: RedisUiDeps, call: CommandCall, t: ServerTarget, name: string, value: string): Promise<string> {
  if (call.interactive) {
    t.session.assertWritable(`CONFIG SET ${name}`);
    await call.prompts.confirm(
      vscode.l10n.t('Set "{0}" to "{1}" on {2}?', name, value, t.where),
      vscode.l10n.t('Set'),
      vscode.l10n.t('CONFIG SET changes the running server at once (not its config file).'),
    );
  }
  const now = await writeConfig(t.session, t.client, name, value, t.where);
  deps.log.info(`CONFIG SET ${name} on ${t.where}`);
  return now;
}

async function serverConfig(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const pattern = call.args ? (str(call.args, 'pattern') ?? '*') : '*';
  return withServer(deps, call, vscode.l10n.t('Server Configuration'), async (t) => {
    const settings = await readConfig(t.client, pattern);
    if (!call.interactive) return { settings };
    const picked = await call.prompts.pick(
      settings.map((s) => ({ label: s.name, description: configLine(s.name, s.value), setting: s })),
      {
        title: vscode.l10n.t('Configuration of {0} ({1} settings): type to search, pick one to change it', t.where, settings.length),
        matchOnDescription: true,
      },
    );
    t.session.assertWritable(`CONFIG SET ${picked.setting.name}`);
    const value = await call.prompts.ask(vscode.l10n.t('New value of "{0}" on {1}', picked.setting.name, t.where), {
      value: picked.setting.value,
    });
    const now = await setSetting(deps, call, t, picked.setting.name, value);
    call.prompts.info(vscode.l10n.t('"{0}" is now "{1}" on {2}.', picked.setting.name, now, t.where));
    return undefined;
  });
}

async function configSet(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  if (!call.args) return serverConfig(deps, call);
  const args = call.args;
  return withServer(deps, call, 'CONFIG SET', async (t) => {
    const name = str(args, 'name', true);
    const value = str(args, 'value', true);
    return { name, value: await setSetting(deps, call, t, name, value) };
  });
}

async function serverMemory(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  return withServer(deps, call, vscode.l10n.t('Latency & Memory'), async (t) => {
    const [latency, stats, doctor] = await Promise.all([latencyLatest(t.client), memoryStats(t.client), memoryDoctor(t.client)]);
    if (!call.interactive) return { latency, memoryStats: stats, doctor };
    await deps.results.show(
      vscode.l10n.t('Memory {0}', t.node ?? t.profile.name),
      [`# ${t.where}`, '', ...latencyMemoryLines(latency, stats, doctor)].join('\n'),
    );
    return undefined;
  });
}

export function redisServerInfoCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.serverInfo', run: (call) => serverInfo(deps, call) },
    { id: 'brokerExplorer.redis.serverConfig', run: (call) => serverConfig(deps, call) },
    { id: 'brokerExplorer.redis.configSet', run: (call) => configSet(deps, call) },
    { id: 'brokerExplorer.redis.serverMemory', run: (call) => serverMemory(deps, call) },
  ];
}
