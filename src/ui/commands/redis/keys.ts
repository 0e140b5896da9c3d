/**
 * Browsing keys: scanKeys, getValue, opening a value, filters, go to key,
 * grouping mode, refresh.
 */
import * as vscode from 'vscode';
import { fromBuffer, toBuffer } from '../../../core/bytes';
import { InputError } from '../../../core/errors';
import { checkKeyType, scanKeysPage } from '../../../core/redis/keyScanner';
import type { RedisPool } from '../../../core/redis/pool';
import { readValue } from '../../../core/redis/values';
import type { ProfileStore } from '../../profileStore';
import { readSettings } from '../../settings';
import { KeyNode, RedisProfileNode, type DatabaseNode } from '../../tree/redisNodes';
import { dbNodeOf, resolveTarget } from './redisTarget';
import type { RedisTree } from '../../tree/redisTree';
import { valueUri, VALUE_SCHEME, type ValueDocumentProvider } from '../../views/valueDocument';
import { isJsonDocumentType, itemCount, tooLargeSentence } from '../../views/jsonDocuments';
import { hasValueEditor, openInValueEditor } from './jsonEdit';
import { bytes, num, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';

export interface RedisKeyDeps {
  profiles: ProfileStore;
  pool: RedisPool;
  tree: RedisTree;
  values: ValueDocumentProvider;
  /** The palette / menu form of scanKeys (MATCH, COUNT, TYPE; results streamed to a file). */
  scanKeysInteractive?: (call: CommandCall) => Promise<unknown>;
}

/** The tree's node of a database (the tree is loaded first when needed). */
async function databaseNode(deps: RedisKeyDeps, profile: string, db: number): Promise<DatabaseNode> {
  await deps.tree.children(undefined);
  const profileNode = deps.tree.profileNode(profile);
  if (!profileNode) throw new InputError(vscode.l10n.t('The Redis profile "{0}" is not in the tree.', profile));
  return profileNode.database(db);
}

async function pickDatabaseNode(deps: RedisKeyDeps, call: CommandCall): Promise<DatabaseNode> {
  const fromNode = dbNodeOf(call.node);
  if (fromNode) return fromNode;
  const t = await resolveTarget(deps, call, vscode.l10n.t('Go to Key'));
  return databaseNode(deps, t.profile.name, t.db);
}

async function scanKeys(deps: RedisKeyDeps, call: CommandCall): Promise<unknown> {
  if (!call.args && deps.scanKeysInteractive) return deps.scanKeysInteractive(call);
  const args = call.args ?? {};
  const t = await resolveTarget(deps, { args, interactive: false, prompts: call.prompts }, vscode.l10n.t('Scan Keys'));
  const type = str(args, 'type');
  checkKeyType(type);
  const match = bytes(args, 'match');
  // The walk runs on the session's own RESP connections (no ioredis command object per key), per primary on a cluster.
  const client = await t.session.walker();
  const page = await scanKeysPage(client, {
    ...(match !== undefined ? { match: toBuffer(match, 'match pattern') } : {}),
    ...(type !== undefined ? { type } : {}),
    count: num(args, 'count', { min: 1 }) ?? 1000,
    limit: num(args, 'limit', { min: 1 }) ?? 1000,
    cursor: str(args, 'cursor') ?? '0',
    maxExamine: num(args, 'maxExamine', { min: 1 }) ?? Number.MAX_SAFE_INTEGER,
  });
  return {
    keys: page.keys
      .filter((k) => k.type !== 'none')
      .map((k) => ({ key: fromBuffer(k.key), type: k.type, ttl: k.ttl, ...(k.node !== undefined ? { slot: k.slot, node: k.node } : {}) })),
    cursor: page.cursor,
    complete: page.complete,
    scanned: page.scanned,
  };
}

async function getValue(deps: RedisKeyDeps, call: CommandCall): Promise<unknown> {
  const args = call.args ?? {};
  const t = await resolveTarget(deps, { args, interactive: false, prompts: call.prompts }, vscode.l10n.t('Get Value'));
  const key = toBuffer(bytes(args, 'key', true), 'key');
  const client = await t.session.client();
  const s = readSettings();
  const read = await readValue(client, key, {
    limit: num(args, 'limit', { min: 1, max: 100_000 }) ?? s.valueItems,
    maxBytes: num(args, 'maxBytes', { min: 1 }) ?? s.maxValueBytes,
  });
  return read;
}

async function openKey(deps: RedisKeyDeps, call: CommandCall, view: 'table' | 'json'): Promise<unknown> {
  let ref: { profile: string; db: number; key: Buffer };
  if (call.node instanceof KeyNode) ref = { profile: call.node.dbNode.profile.name, db: call.node.dbNode.db, key: call.node.key };
  else if (call.args) {
    const t = await resolveTarget(deps, { args: call.args, interactive: false, prompts: call.prompts }, vscode.l10n.t('Open Key'));
    ref = { profile: t.profile.name, db: t.db, key: toBuffer(bytes(call.args, 'key', true), 'key') };
  } else throw new InputError(vscode.l10n.t('Pick a key in the Redis view, or use "Go to Key…".'));
  let notice: string | undefined;
  // `view: "table"` asks for the read-only table whatever the type.
  if (view === 'table' && call.args?.view !== 'table') {
    // Strings and collections open as editable documents; read-only profiles, streams and large collections keep the read-only table.
    const type =
      call.node instanceof KeyNode ? call.node.info.type : String(await (await deps.pool.get(ref.profile, ref.db)).type(ref.key));
    const plain = { profile: ref.profile, db: ref.db, key: fromBuffer(ref.key) };
    if (type === 'string') return vscode.commands.executeCommand('brokerExplorer.redis.editString', plain);
    const session = await deps.pool.session(ref.profile, ref.db);
    if (isJsonDocumentType(type) && !session.profile.readOnly) {
      const length = await itemCount(session, ref.key, type);
      const max = readSettings().maxEditableItems;
      if (length <= max) return vscode.commands.executeCommand('brokerExplorer.redis.editJson', plain);
      notice = `${tooLargeSentence(ref.key, type, length, max)} ${vscode.l10n.t('It opened read-only.')}`;
      if (call.interactive) void offerValueEditor(notice, { profile: session.profile, db: ref.db, key: ref.key });
    }
  }
  const uri = valueUri({ ...ref, view });
  const doc = await vscode.workspace.openTextDocument(uri);
  if (view === 'json') await vscode.languages.setTextDocumentLanguage(doc, 'json');
  await vscode.window.showTextDocument(doc, { preview: true });
  return { uri: uri.toString(), ...(notice !== undefined ? { notice } : {}) };
}

/** A notice naming why a collection opened read-only, with "Open in Value Editor" when that editor exists. */
async function offerValueEditor(notice: string, k: Parameters<typeof openInValueEditor>[0]): Promise<void> {
  const buttons = (await hasValueEditor()) ? [vscode.l10n.t('Open in Value Editor')] : [];
  if ((await vscode.window.showInformationMessage(notice, ...buttons)) !== undefined) await openInValueEditor(k);
}

async function goToKey(deps: RedisKeyDeps, call: CommandCall): Promise<unknown> {
  if (call.args) return openKey(deps, call, 'table');
  const dbNode = await pickDatabaseNode(deps, call);
  const name = await call.prompts.ask(vscode.l10n.t('Go to key in db{0} of {1}', dbNode.db, dbNode.profile.name), {
    prompt: vscode.l10n.t('The exact key name (no pattern): it is opened without scanning.'),
  });
  return openKey(
    deps,
    { args: { profile: dbNode.profile.name, db: dbNode.db, key: name }, interactive: true, prompts: call.prompts },
    'table',
  );
}

async function setFilter(deps: RedisKeyDeps, call: CommandCall, clear: boolean): Promise<unknown> {
  let dbNode: DatabaseNode;
  let pattern: string | undefined;
  if (call.args) {
    const t = await resolveTarget(deps, { args: call.args, interactive: false, prompts: call.prompts }, vscode.l10n.t('Filter Keys'));
    dbNode = await databaseNode(deps, t.profile.name, t.db);
    pattern = clear ? undefined : str(call.args, 'match');
  } else {
    dbNode = await pickDatabaseNode(deps, call);
    pattern = clear
      ? undefined
      : await call.prompts.ask(vscode.l10n.t('Filter keys of db{0}', dbNode.db), {
          prompt: vscode.l10n.t('A Redis MATCH pattern: * any characters, ? one, [abc] a set, \\ escapes. Empty clears the filter.'),
          value: dbNode.filter ?? '',
        });
  }
  if (pattern === undefined || pattern === '' || pattern === '*') deps.tree.ctx.filters.delete(dbNode.filterKey);
  else deps.tree.ctx.filters.set(dbNode.filterKey, pattern);
  dbNode.reset();
  deps.tree.refresh(dbNode);
  return { filter: deps.tree.ctx.filters.get(dbNode.filterKey) ?? null };
}

async function toggleGrouping(deps: RedisKeyDeps, call: CommandCall): Promise<unknown> {
  const config = vscode.workspace.getConfiguration('brokerExplorer');
  const current = readSettings().redisGrouping;
  const requested = call.args ? str(call.args, 'grouping') : undefined;
  if (requested !== undefined && requested !== 'type' && requested !== 'namespace')
    throw new InputError(vscode.l10n.t('"grouping" must be "type" or "namespace".'));
  const next = requested ?? (current === 'type' ? 'namespace' : 'type');
  await config.update('redis.grouping', next, vscode.ConfigurationTarget.Global);
  deps.tree.refresh();
  return { grouping: next };
}

export function redisKeyCommands(deps: RedisKeyDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.scanKeys', run: (call) => scanKeys(deps, call) },
    { id: 'brokerExplorer.redis.getValue', run: (call) => getValue(deps, call) },
    { id: 'brokerExplorer.redis.openKey', run: (call) => openKey(deps, call, 'table') },
    { id: 'brokerExplorer.redis.openJson', run: (call) => openKey(deps, call, 'json') },
    { id: 'brokerExplorer.redis.goToKey', run: (call) => goToKey(deps, call) },
    { id: 'brokerExplorer.redis.filter', run: (call) => setFilter(deps, call, false) },
    { id: 'brokerExplorer.redis.clearFilter', run: (call) => setFilter(deps, call, true) },
    { id: 'brokerExplorer.redis.toggleGrouping', run: (call) => toggleGrouping(deps, call) },
    { id: 'brokerExplorer.redis.groupByType', run: (call) => toggleGrouping(deps, { ...call, args: { grouping: 'type' } }) },
    { id: 'brokerExplorer.redis.groupByNamespace', run: (call) => toggleGrouping(deps, { ...call, args: { grouping: 'namespace' } }) },
    {
      id: 'brokerExplorer.redis.refresh',
      run: (call) => {
        const dbNode = dbNodeOf(call.node);
        // The view's title button (no node): every database is scanned again, not only redrawn.
        if (!call.node) deps.tree.refreshAll();
        if (call.node instanceof RedisProfileNode) call.node.resetDatabases();
        if (dbNode) dbNode.reset();
        // A folder or key reloads its database's subtree (the database's pages were just dropped).
        deps.tree.refresh(call.node instanceof RedisProfileNode ? call.node : dbNode?.shown);
        return Promise.resolve({});
      },
    },
    {
      id: 'brokerExplorer.redis.valueLoadMore',
      run: () => {
        const uri = vscode.window.activeTextEditor?.document.uri;
        if (!uri || uri.scheme !== VALUE_SCHEME)
          return Promise.reject(
            new InputError(vscode.l10n.t('Open a Redis value first: "Load More" reads further items of the value in the active editor.')),
          );
        deps.values.loadMore(uri);
        return Promise.resolve({});
      },
    },
    {
      id: 'brokerExplorer.redis.valueRefresh',
      run: () => {
        const uri = vscode.window.activeTextEditor?.document.uri;
        if (!uri || uri.scheme !== VALUE_SCHEME)
          throw new InputError(
            vscode.l10n.t('Open a Redis value first: "Refresh" reads the value in the active editor again from the server.'),
          );
        deps.values.reload(uri);
        return Promise.resolve({});
      },
    },
  ];
}
