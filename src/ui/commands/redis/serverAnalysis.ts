/**
 * Keyspace analysis from the palette, the "Server" node or the API: a
 * cancellable notification progress (percent of DBSIZE) while core walks
 * the keys, then a report document. Cancel stops the walk before the next
 * batch and shows the partial figures.
 */
import * as vscode from 'vscode';
import { analyzeKeyspace, DEFAULT_ANALYSIS_TOP, MAX_ANALYSIS_TOP, type KeyspaceAnalysis } from '../../../core/redis/keyspaceAnalysis';
import { formatBytes, formatCount } from '../../../core/units';
import type { RespClient } from '../../../core/redis/respClient';
import { analysisLines } from '../../views/serverReports';
import { num, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { abortOn, type RedisUiDeps } from './redisTarget';
import { parseNode, withServer, type ServerTarget } from './serverTarget';

async function run(
  deps: RedisUiDeps,
  t: ServerTarget,
  client: RespClient,
  match: string | undefined,
  top: number,
  signal?: AbortSignal,
  report?: (text: string, increment: number) => void,
): Promise<KeyspaceAnalysis> {
  let done = 0;
  return analyzeKeyspace(client, {
    top,
    count: deps.settings().redisScanCount,
    delimiter: t.profile.delimiter,
    ...(match !== undefined ? { match } : {}),
    ...(signal ? { signal } : {}),
    onProgress: (p) => {
      const percent = p.total > 0 ? Math.min(100, (100 * p.scanned) / p.total) : 0;
      report?.(vscode.l10n.t('{0} of ~{1} keys · {2}', formatCount(p.scanned), formatCount(p.total), formatBytes(p.bytes)), percent - done);
      done = percent;
    },
  });
}

/** The walk gets a RESP connection of its own (to the node asked for, on a cluster), so the tree's shared one never waits behind it. */
async function withWalker<T>(t: ServerTarget, work: (client: RespClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const walker =
    t.node !== undefined && t.profile.mode === 'cluster'
      ? await t.session.respAt(parseNode(t.node), 'analysis', signal)
      : await t.session.resp('analysis', t.db, signal);
  try {
    return await work(walker);
  } finally {
    walker.close();
  }
}

async function analyze(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  return withServer(
    deps,
    call,
    vscode.l10n.t('Analyze Keyspace'),
    async (t) => {
      if (!call.interactive) {
        const args = call.args ?? {};
        const top = num(args, 'top', { min: 1, max: MAX_ANALYSIS_TOP }) ?? DEFAULT_ANALYSIS_TOP;
        const match = str(args, 'match');
        return withWalker(t, (walker) => run(deps, t, walker, match, top));
      }
      const match = await call.prompts.ask(vscode.l10n.t('Analyze keys of db{0} of {1}: MATCH pattern', t.db, t.where), {
        value: '*',
        prompt: vscode.l10n.t('A SCAN MATCH pattern; * for every key.'),
      });
      const title =
        match !== '*' ? vscode.l10n.t('db{0} of {1}, MATCH {2}', t.db, t.where, match) : vscode.l10n.t('db{0} of {1}', t.db, t.where);
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Analyzing {0}', title), cancellable: true },
        (progress, token) => {
          const signal = abortOn(token);
          return withWalker(
            t,
            (walker) =>
              run(deps, t, walker, match, DEFAULT_ANALYSIS_TOP, signal, (message, increment) => progress.report({ message, increment })),
            signal,
          );
        },
      );
      await deps.results.show(vscode.l10n.t('Keyspace {0} db{1}', t.profile.name, t.db), analysisLines(result, title).join('\n'));
      return undefined;
    },
    true,
  );
}

export function redisServerAnalysisCommands(deps: RedisUiDeps): CommandSpec[] {
  return [{ id: 'brokerExplorer.redis.analyzeKeyspace', run: (call) => analyze(deps, call) }];
}
