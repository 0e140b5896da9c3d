/**
 * Read-only views of a key's value: a string as text (hex dump when it is
 * not UTF-8), pretty JSON when it parses, and collections as a table of the
 * first items with the total length; "Load more" reads further.
 */
import * as vscode from 'vscode';
import { displayBytes, fromBase64Url, hexDump, isHexBytes, toBase64Url, toBuffer, type BytesLike } from '../../core/bytes';
import { errorMessage } from '../../core/errors';
import type { RedisPool } from '../../core/redis/pool';
import { readValue, type ValueRead } from '../../core/redis/values';
import { formatCount } from '../../core/units';
import type { Settings } from '../settings';

export const VALUE_SCHEME = 'broker-redis-value';

export type ValueView = 'table' | 'json';

export interface ValueRef {
  profile: string;
  db: number;
  key: Buffer;
  view: ValueView;
}

export function valueUri(ref: ValueRef): vscode.Uri {
  const label = displayBytes(ref.key, 60).replace(/[/\\]/g, '∕') || vscode.l10n.t('(empty key)');
  const query = new URLSearchParams({
    p: toBase64Url(Buffer.from(ref.profile, 'utf8')),
    db: String(ref.db),
    k: toBase64Url(ref.key),
    v: ref.view,
  });
  return vscode.Uri.from({ scheme: VALUE_SCHEME, path: `/${label}${ref.view === 'json' ? '.json' : ''}`, query: query.toString() });
}

export function parseValueUri(uri: vscode.Uri): ValueRef {
  const q = new URLSearchParams(uri.query);
  return {
    profile: fromBase64Url(q.get('p') ?? '').toString('utf8'),
    db: Number(q.get('db') ?? '0'),
    key: fromBase64Url(q.get('k') ?? ''),
    view: q.get('v') === 'json' ? 'json' : 'table',
  };
}

export class ValueDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly limits = new Map<string, number>();

  private readonly subscription: vscode.Disposable;

  /** `databaseChanged` fires after a write to a database: the open views of its keys reload. */
  constructor(
    private readonly pool: RedisPool,
    private readonly settings: () => Settings,
    databaseChanged: vscode.Event<{ profile: string; db: number }>,
  ) {
    this.subscription = databaseChanged((change) => this.reloadDatabase(change.profile, change.db));
  }

  /** Reloads every open view of a key in this database. */
  reloadDatabase(profile: string, db: number): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== VALUE_SCHEME || doc.isClosed) continue;
      const ref = parseValueUri(doc.uri);
      if (ref.profile === profile && ref.db === db) this.emitter.fire(doc.uri);
    }
  }

  /** Reads the next items of a collection view. */
  loadMore(uri: vscode.Uri): void {
    const current = this.limits.get(uri.toString()) ?? this.settings().valueItems;
    this.limits.set(uri.toString(), Math.min(current + this.settings().valueItems, this.settings().maxItemsPerNode * 10));
    this.emitter.fire(uri);
  }

  /** Reads the view again from the server (the Refresh action in the editor title). */
  reload(uri: vscode.Uri): void {
    this.emitter.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseValueUri(uri);
    try {
      const client = await this.pool.get(ref.profile, ref.db);
      const s = this.settings();
      const read = await readValue(client, ref.key, { limit: this.limits.get(uri.toString()) ?? s.valueItems, maxBytes: s.maxValueBytes });
      return ref.view === 'json' ? renderJson(read) : renderValue(ref, read);
    } catch (err) {
      return `# ${errorMessage(err)}\n`;
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

function bytesText(value: BytesLike): string {
  return isHexBytes(value) ? displayBytes(toBuffer(value)) : displayBytes(Buffer.from(value, 'utf8'));
}

function renderJson(read: ValueRead): string {
  if (read.type !== 'string' || isHexBytes(read.value) || typeof read.value !== 'string')
    return `${vscode.l10n.t('// Only a string holding JSON has a JSON view.')}\n`;
  try {
    return `${JSON.stringify(JSON.parse(read.value), null, 2)}\n`;
  } catch (err) {
    const why = errorMessage(err);
    return `${read.truncated ? vscode.l10n.t('// The value is not valid JSON (it was truncated): {0}', why) : vscode.l10n.t('// The value is not valid JSON: {0}', why)}\n`;
  }
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function renderValue(ref: ValueRef, read: ValueRead): string {
  const length = formatCount(read.length);
  const size = read.type === 'string' ? vscode.l10n.t('{0} bytes', length) : vscode.l10n.t('{0} items', length);
  const ttl = read.ttl < 0 ? vscode.l10n.t('TTL none') : vscode.l10n.t('TTL {0} s', read.ttl);
  const header = [
    vscode.l10n.t('# key   {0}', displayBytes(ref.key, 400)),
    [vscode.l10n.t('# type  {0}', read.type), size, ttl, vscode.l10n.t('db {0} of "{1}"', ref.db, ref.profile)].join(' · '),
  ];
  if (read.type === 'string') {
    const value = read.value as BytesLike;
    if (read.truncated)
      header.push(
        vscode.l10n.t(
          '# Showing the first {0} bytes only: the value is too large to load whole (brokerExplorer.redis.maxValueBytes).',
          formatCount(isHexBytes(value) ? value.hex.length / 2 : Buffer.byteLength(value)),
        ),
      );
    if (isHexBytes(value)) {
      header.push(vscode.l10n.t('# Not UTF-8: shown as a hex dump.'));
      return `${header.join('\n')}\n\n${hexDump(toBuffer(value))}\n`;
    }
    return `${header.join('\n')}\n\n${value}\n`;
  }
  const items = read.value as unknown[];
  header.push(
    read.truncated
      ? vscode.l10n.t('# Showing the first {0} of {1}: use "Load More" in the editor title for more.', formatCount(items.length), length)
      : vscode.l10n.t('# Showing all {0}.', formatCount(items.length)),
  );
  const rows: [string, string][] = [];
  let columns: [string, string] = ['#', vscode.l10n.t('value')];
  items.forEach((item, i) => {
    if (read.type === 'hash') {
      const h = item as { field: BytesLike; value: BytesLike };
      columns = [vscode.l10n.t('field'), vscode.l10n.t('value')];
      rows.push([bytesText(h.field), bytesText(h.value)]);
    } else if (read.type === 'zset') {
      const z = item as { member: BytesLike; score: number | string };
      columns = [vscode.l10n.t('score'), vscode.l10n.t('member')];
      rows.push([String(z.score), bytesText(z.member)]);
    } else if (read.type === 'stream') {
      const e = item as { id: string; fields: { field: BytesLike; value: BytesLike }[] | Record<string, BytesLike> };
      columns = ['id', vscode.l10n.t('fields')];
      const fields = Array.isArray(e.fields)
        ? e.fields.map((f) => `${bytesText(f.field)}=${bytesText(f.value)}`)
        : Object.entries(e.fields).map(([k, v]) => `${k}=${bytesText(v)}`);
      rows.push([e.id, fields.join(' ')]);
    } else {
      columns = read.type === 'list' ? [vscode.l10n.t('index'), vscode.l10n.t('element')] : ['#', vscode.l10n.t('member')];
      rows.push([String(i), bytesText(item as BytesLike)]);
    }
  });
  const width = Math.min(40, Math.max(columns[0].length, ...rows.map((r) => r[0].length)));
  const lines = [
    `${pad(columns[0], width)} │ ${columns[1]}`,
    `${'─'.repeat(width)}─┼─${'─'.repeat(20)}`,
    ...rows.map((r) => `${pad(r[0], width)} │ ${r[1]}`),
  ];
  return `${header.join('\n')}\n\n${lines.join('\n')}\n`;
}
