/**
 * Scan iterators with a form: keys (SCAN with MATCH / COUNT / TYPE) and a
 * key's items (HSCAN / SSCAN / ZSCAN, chunked LRANGE for lists, XRANGE for
 * streams). The first 1,000 results appear in a results document at once;
 * every result streams to a file (JSON lines or CSV) so memory stays flat;
 * a notification shows progress and its Cancel stops the server work
 * before the next call. With arguments, scanValue returns one page.
 */
import type { Prompts } from '../../prompts';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RedisClient } from '../../../core/redis/redisClient';
import * as vscode from 'vscode';
import { InputError } from '../../../core/errors';
import { displayBytes, toBuffer } from '../../../core/bytes';
import { formatCount } from '../../../core/units';
import { checkKeyType, KEY_TYPES } from '../../../core/redis/keyScanner';
import { exportKeys, exportValue, type ExportFormat, type ExportOptions, type ExportResult } from '../../../core/redis/scanExport';
import { collectionType, scanValue, type CollectionType } from '../../../core/redis/valueScanner';
import { bytes, num, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { KeyNode } from '../../tree/redisNodes';
import { abortOn, dbNodeOf, resolveKey, resolveTarget, type KeyTarget, type RedisTarget, type RedisUiDeps } from './redisTarget';

const SHOWN_ROWS = 1000;

async function askFormat(prompts: Prompts): Promise<ExportFormat> {
  return (
    await prompts.pick(
      [
        { label: vscode.l10n.t('JSON lines'), description: vscode.l10n.t('one JSON object per line (.jsonl)'), format: 'jsonl' as const },
        { label: 'CSV', description: vscode.l10n.t('comma-separated, with a header (.csv)'), format: 'csv' as const },
      ],
      { title: vscode.l10n.t('Stream all results to a file as') },
    )
  ).format;
}

async function askCount(prompts: Prompts, deps: RedisUiDeps, what: string): Promise<number> {
  const text = await prompts.ask(vscode.l10n.t('COUNT per {0} call', what), {
    value: String(deps.settings().redisScanCount),
    prompt: vscode.l10n.t('How many elements the server examines per call (a hint).'),
    validate: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 ? undefined : vscode.l10n.t('Give a whole number of at least 1.')),
  });
  return Number(text);
}

/** One export: the core exporter to run, and how to name it to the user. */
interface StreamJob {
  /** Names the file and the results document: key names and types, no sentence. */
  name: string;
  description: string;
  format: ExportFormat;
  /** A count of what it writes, in words: "1,234 keys". */
  rows(count: number): string;
  run(path: string, options: ExportOptions): Promise<ExportResult>;
}

interface ExportSummary {
  path: string;
  rows: number;
  complete: boolean;
  /** The results document with the first rows. */
  uri: string;
}

/** Streams rows to a file with progress and cancel; the first rows also go to a results document. */
async function runToFile(deps: RedisUiDeps, job: StreamJob, interactive: boolean): Promise<ExportSummary> {
  const dir = join(deps.storageDir(), 'scans');
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${job.name.replace(/[^\w.-]+/g, '_').slice(0, 60)}-${stamp}.${job.format === 'csv' ? 'csv' : 'jsonl'}`);
  const doc = deps.results.create(vscode.l10n.t('{0} (first {1})', job.name, SHOWN_ROWS), { maxLines: SHOWN_ROWS, language: 'jsonl' });
  doc.setHeader(`# ${job.description}`, `# ${vscode.l10n.t('all results stream to {0}', path)}`, `# ${vscode.l10n.t('running…')}`);
  if (interactive) await deps.results.open(doc.uri);
  let shown = 0;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: job.description, cancellable: true },
    (progress, token) =>
      job.run(path, {
        format: job.format,
        signal: abortOn(token),
        onRows: (rows) => {
          if (shown >= SHOWN_ROWS) return;
          const part = rows.slice(0, SHOWN_ROWS - shown);
          shown += part.length;
          doc.append(...part.map((r) => JSON.stringify(r)));
        },
        onProgress: (p) =>
          progress.report({
            message:
              p.scanned !== undefined ? vscode.l10n.t('{0} · {1} examined', job.rows(p.rows), formatCount(p.scanned)) : job.rows(p.rows),
          }),
      }),
  );
  const status = result.complete ? vscode.l10n.t('complete') : vscode.l10n.t('cancelled: the file holds what was found until then');
  doc.setHeader(
    `# ${job.description}`,
    `# ${vscode.l10n.t('{0} written to {1} ({2})', job.rows(result.rows), path, status)}`,
    `# ${shown < result.rows ? vscode.l10n.t('showing the first {0}', formatCount(shown)) : vscode.l10n.t('all {0} shown', formatCount(shown))}`,
  );
  doc.flush();
  if (interactive) offerFile(job, path, result.rows, result.complete);
  return { path, rows: result.rows, complete: result.complete, uri: doc.uri.toString() };
}

function offerFile(job: StreamJob, path: string, rows: number, complete: boolean): void {
  const open = vscode.l10n.t('Open File');
  const saveAs = vscode.l10n.t('Save As…');
  const message = complete
    ? vscode.l10n.t('{0}: {1} (complete).', job.description, job.rows(rows))
    : vscode.l10n.t('{0}: {1} (cancelled).', job.description, job.rows(rows));
  void vscode.window.showInformationMessage(message, open, saveAs).then(async (choice) => {
    const file = vscode.Uri.file(path);
    if (choice === open) await vscode.window.showTextDocument(file);
    else if (choice === saveAs) {
      const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.split(/[/\\]/).pop() ?? 'scan.jsonl') });
      if (target) await vscode.workspace.fs.copy(file, target, { overwrite: true });
    }
  });
}

function keysJob(
  client: RedisClient,
  t: RedisTarget,
  o: { match: string; type: string | undefined; count: number; format: ExportFormat },
): StreamJob {
  return {
    name: `keys ${t.profile.name} db${t.db} ${o.match}`,
    description: `${vscode.l10n.t('SCAN db{0} of "{1}" MATCH {2}', t.db, t.profile.name, o.match)}${o.type ? ` TYPE ${o.type}` : ''}`,
    format: o.format,
    rows: (n) => vscode.l10n.t('{0} keys', formatCount(n)),
    run: (path, options) =>
      exportKeys(client, path, { ...options, match: o.match, count: o.count, withInfo: true, ...(o.type ? { type: o.type } : {}) }),
  };
}

function valueJob(
  client: RedisClient,
  k: KeyTarget,
  type: CollectionType,
  o: { match: string; count: number; format: ExportFormat },
): StreamJob {
  const label = displayBytes(k.key, 60);
  const matched = o.match !== '*';
  return {
    name: `${type} ${label}`,
    description: `${vscode.l10n.t('Scan {0} "{1}" in db{2} of "{3}"', type, label, k.db, k.profile.name)}${matched ? ` MATCH ${o.match}` : ''}`,
    format: o.format,
    rows: (n) => itemCount(type, n),
    run: (path, options) => exportValue(client, k.key, path, { ...options, type, count: o.count, ...(matched ? { match: o.match } : {}) }),
  };
}

/** "12 fields", "3 members": a count of a collection's items, named for its type. */
function itemCount(type: CollectionType, n: number): string {
  const count = formatCount(n);
  if (type === 'hash') return vscode.l10n.t('{0} fields', count);
  if (type === 'list') return vscode.l10n.t('{0} elements', count);
  if (type === 'stream') return vscode.l10n.t('{0} entries', count);
  return vscode.l10n.t('{0} members', count);
}

export async function scanKeysInteractive(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveTarget(deps, call, vscode.l10n.t('Scan Keys'));
  const filter = dbNodeOf(call.node)?.filter;
  const match = await call.prompts.ask(vscode.l10n.t('Scan keys of db{0} on "{1}": MATCH', t.db, t.profile.name), {
    value: filter ?? '*',
    prompt: vscode.l10n.t('* any characters, ? one, [abc] a set, \\ escapes.'),
  });
  const type = (
    await call.prompts.pick([{ label: vscode.l10n.t('any type'), type: undefined }, ...KEY_TYPES.map((k) => ({ label: k, type: k }))], {
      title: 'TYPE',
    })
  ).type;
  const count = await askCount(call.prompts, deps, 'SCAN');
  const format = await askFormat(call.prompts);
  const client = await deps.pool.get(t.profile.name, t.db);
  await runToFile(deps, keysJob(client, t, { match, type, count, format }), true);
  return undefined;
}

async function scanValueCommand(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  if (call.args) {
    const t = await resolveTarget(deps, call, vscode.l10n.t('Scan Value'));
    const key = toBuffer(bytes(call.args, 'key', true), 'key');
    const match = bytes(call.args, 'match');
    const count = num(call.args, 'count', { min: 1 });
    const limit = num(call.args, 'limit', { min: 1, max: 100_000 });
    const cursor = str(call.args, 'cursor');
    const client = await deps.pool.get(t.profile.name, t.db);
    const page = await scanValue(client, key, {
      ...(match !== undefined ? { match } : {}),
      ...(count !== undefined ? { count } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    return { type: page.type, items: page.items, cursor: page.cursor, complete: page.complete };
  }
  const k = await resolveKey(deps, call, vscode.l10n.t('Scan Value'));
  const client = await deps.pool.get(k.profile.name, k.db);
  const type = await collectionType(client, k.key);
  const label = displayBytes(k.key, 60);
  const match =
    type === 'stream'
      ? '*'
      : await call.prompts.ask(
          type === 'hash'
            ? vscode.l10n.t('Scan {0} "{1}": MATCH on fields', type, label)
            : type === 'list'
              ? vscode.l10n.t('Scan {0} "{1}": MATCH on elements', type, label)
              : vscode.l10n.t('Scan {0} "{1}": MATCH on members', type, label),
          {
            value: '*',
            prompt: vscode.l10n.t('* any characters, ? one, [abc] a set.'),
          },
        );
  const count = await askCount(
    call.prompts,
    deps,
    type === 'list' ? 'LRANGE' : type === 'stream' ? 'XRANGE' : `${type === 'hash' ? 'H' : type === 'set' ? 'S' : 'Z'}SCAN`,
  );
  const format = await askFormat(call.prompts);
  await runToFile(deps, valueJob(client, k, type, { match, count, format }), true);
  return undefined;
}

/** Streams keys (no "key") or a key's items to a file: `{ profile, db?, key?, match?, type?, count?, format? }` → `{ path, rows, complete, uri }`. */
async function exportScan(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  if (!call.args) return call.node instanceof KeyNode ? scanValueCommand(deps, call) : scanKeysInteractive(deps, call);
  const t = await resolveTarget(deps, call, vscode.l10n.t('Export Scan'));
  const match = str(call.args, 'match') ?? '*';
  const count = num(call.args, 'count', { min: 1 }) ?? deps.settings().redisScanCount;
  const formatArg = str(call.args, 'format') ?? 'jsonl';
  if (formatArg !== 'jsonl' && formatArg !== 'csv') throw new InputError(vscode.l10n.t('"format" must be "jsonl" or "csv".'));
  const client = await deps.pool.get(t.profile.name, t.db);
  const keyArg = bytes(call.args, 'key');
  if (keyArg === undefined) {
    const type = str(call.args, 'type');
    checkKeyType(type);
    return runToFile(deps, keysJob(client, t, { match, type, count, format: formatArg }), false);
  }
  const k: KeyTarget = { ...t, key: toBuffer(keyArg, 'key') };
  return runToFile(deps, valueJob(client, k, await collectionType(client, k.key), { match, count, format: formatArg }), false);
}

export function redisScanCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.scanValue', run: (call) => scanValueCommand(deps, call) },
    { id: 'brokerExplorer.redis.exportScan', run: (call) => exportScan(deps, call) },
  ];
}
