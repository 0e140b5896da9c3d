/**
 * Browsing RabbitMQ: list (vhosts, exchanges, queues, bindings; paged by
 * the management API, bindings paged here), the tree's filters, and the
 * routing tester.
 */
import * as vscode from 'vscode';
import type { BindingSelector, ListArgs, ListKind } from '../../../core/amqp/managementClient';
import { testRoute } from '../../../core/amqp/routeTester';
import { InputError } from '../../../core/errors';
import { FolderNode, RabbitProfileNode, describeFilter, filterKey, type RabbitFilter } from '../../tree/rabbitNodes';
import { bool, num, obj, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { argsOf, exchangeArg, jsonObject, target, validateJsonObject, where, type RabbitDeps } from './common';
import { exchangeLabel } from './format';
import { isOperationKind, listOperation, OPERATION_KINDS, type OperationKind } from '../../../core/amqp/operationLists';

const KINDS: readonly (ListKind | OperationKind)[] = ['vhosts', 'exchanges', 'queues', 'bindings', 'nodes', ...OPERATION_KINDS];

function kindArg(value: unknown): ListKind | OperationKind {
  if (typeof value !== 'string' || !(KINDS as readonly string[]).includes(value)) {
    throw new InputError(vscode.l10n.t('"kind" must be one of {0}, not {1}.', KINDS.join(', '), JSON.stringify(value)));
  }
  return value as ListKind | OperationKind;
}

function sourceArg(value: Record<string, unknown> | undefined): BindingSelector | undefined {
  if (!value) return undefined;
  const out: BindingSelector = {};
  const exchange = str(value, 'exchange');
  const queue = str(value, 'queue');
  const direction = str(value, 'direction');
  if (exchange !== undefined) out.exchange = exchange;
  if (queue !== undefined) out.queue = queue;
  if (direction !== undefined) {
    if (direction !== 'source' && direction !== 'destination')
      throw new InputError(vscode.l10n.t('"source.direction" must be "source" or "destination".'));
    out.direction = direction;
  }
  return out;
}

async function list(deps: RabbitDeps, call: CommandCall): Promise<unknown> {
  const t = await target(deps, call);
  let listArgs: Omit<ListArgs, 'kind'> & { kind: ListKind | OperationKind; allVhosts?: boolean };
  if (call.args) {
    const a = call.args;
    listArgs = { kind: kindArg(a.kind), vhost: t.vhost };
    const allVhosts = bool(a, 'allVhosts');
    if (allVhosts !== undefined) listArgs.allVhosts = allVhosts;
    const filter = str(a, 'filter');
    const regex = bool(a, 'regex');
    const page = num(a, 'page', { min: 1 });
    const pageSize = num(a, 'pageSize', { min: 1, max: 500 });
    const source = sourceArg(obj(a, 'source'));
    if (filter !== undefined) listArgs.filter = filter;
    if (regex !== undefined) listArgs.regex = regex;
    if (page !== undefined) listArgs.page = page;
    if (pageSize !== undefined) listArgs.pageSize = pageSize;
    if (source !== undefined) listArgs.source = source;
  } else {
    const kind = (await call.prompts.pick(['vhosts', 'exchanges', 'queues', 'nodes', ...OPERATION_KINDS], {
      title: vscode.l10n.t('List in {0}', where(t)),
    })) as ListKind | OperationKind;
    const filter = await call.prompts.ask(vscode.l10n.t('List {0}: name filter (empty for all)', kind), { value: '' });
    listArgs = { kind, vhost: t.vhost, pageSize: deps.settings().rabbitPageSize, ...(filter ? { filter } : {}) };
  }
  const kind = listArgs.kind;
  const page = isOperationKind(kind)
    ? await listOperation(t.session.management(), kind, t.vhost, listArgs)
    : await t.session.management().list({ ...listArgs, kind });
  const result = { items: page.items, total: page.total, page: page.page, pageCount: page.pageCount };
  if (call.interactive) {
    await deps.documents.show(
      `${t.profile.name} ${listArgs.kind} page ${page.page} of ${Math.max(1, page.pageCount)}.json`,
      `${JSON.stringify(result, null, 2)}\n`,
    );
  }
  return result;
}

/** The folder (or profile, for vhosts) a filter applies to, from args or the node. */
async function filterTarget(
  deps: RabbitDeps,
  call: CommandCall,
): Promise<{ key: string; node: FolderNode | RabbitProfileNode | undefined; label: string }> {
  if (call.node instanceof FolderNode) {
    const n = call.node;
    return { key: filterKey(n.profile.name, n.vhost, n.kind), node: n, label: folderLabel(n.kind, n.vhost) };
  }
  if (call.node instanceof RabbitProfileNode)
    return {
      key: filterKey(call.node.profile.name, undefined, 'vhosts'),
      node: call.node,
      label: vscode.l10n.t('vhosts of "{0}"', call.node.profile.name),
    };
  const t = await target(deps, call);
  const kind = call.args
    ? kindArg(call.args.kind)
    : ((await call.prompts.pick(['exchanges', 'queues', 'vhosts'], {
        title: vscode.l10n.t('Filter which list of {0}?', where(t)),
      })) as ListKind);
  if (isOperationKind(kind)) throw new InputError(vscode.l10n.t('The {0} have no tree filter: list them with a filter instead.', kind));
  if (kind === 'bindings')
    throw new InputError(vscode.l10n.t('Bindings have no tree filter: they are listed under each exchange and queue.'));
  if (kind === 'nodes')
    throw new InputError(vscode.l10n.t('Nodes have no tree filter: a cluster has a handful, all listed in the "Nodes" folder.'));
  await deps.tree.children(undefined);
  const profileNode = deps.tree.profileNode(t.profile.name);
  const node = kind === 'vhosts' ? profileNode : deps.tree.vhostNode(t.profile.name, t.vhost)?.folder(kind);
  return {
    key: filterKey(t.profile.name, t.vhost, kind),
    node,
    label: kind === 'vhosts' ? vscode.l10n.t('vhosts of "{0}"', t.profile.name) : folderLabel(kind, t.vhost),
  };
}

/** `queues of vhost "/"`: what a folder filter applies to. */
function folderLabel(kind: 'exchanges' | 'queues', vhost: string): string {
  return kind === 'exchanges' ? vscode.l10n.t('exchanges of vhost "{0}"', vhost) : vscode.l10n.t('queues of vhost "{0}"', vhost);
}

function applyFilter(deps: RabbitDeps, node: FolderNode | RabbitProfileNode | undefined): void {
  if (!node) return;
  node.resetList();
  deps.tree.refresh(node);
}

async function setFilter(deps: RabbitDeps, call: CommandCall): Promise<{ filter: string; regex: boolean } | Record<string, never>> {
  const { key, node, label } = await filterTarget(deps, call);
  let filter: RabbitFilter | undefined;
  if (call.args) {
    const text = str(call.args, 'filter') ?? '';
    const regex = bool(call.args, 'regex') ?? false;
    filter = text === '' ? undefined : { text, regex };
  } else {
    const current = deps.tree.ctx.filters.get(key);
    const text = await call.prompts.ask(vscode.l10n.t('Filter the {0}', label), {
      value: current?.text ?? '',
      prompt: vscode.l10n.t('Part of the name, or a regular expression (next step). Empty clears the filter.'),
    });
    if (text !== '') {
      const mode = await call.prompts.pick(
        [
          { label: vscode.l10n.t('Contains'), description: vscode.l10n.t('names containing "{0}" (any case)', text), regex: false },
          { label: vscode.l10n.t('Regular expression'), description: vscode.l10n.t('names matching /{0}/', text), regex: true },
        ],
        { title: vscode.l10n.t('Filter by') },
      );
      if (mode.regex) {
        try {
          new RegExp(text);
        } catch {
          throw new InputError(vscode.l10n.t('The filter "{0}" is not a valid regular expression: fix it, or filter by plain text.', text));
        }
      }
      filter = { text, regex: mode.regex };
    }
  }
  if (filter) deps.tree.ctx.filters.set(key, filter);
  else deps.tree.ctx.filters.delete(key);
  applyFilter(deps, node);
  if (call.interactive && filter) deps.log.info(`RabbitMQ tree: ${label} filtered by ${describeFilter(filter)}`);
  return filter ? { filter: filter.text, regex: filter.regex } : {};
}

async function clearFilter(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
  const { key, node } = await filterTarget(deps, call);
  deps.tree.ctx.filters.delete(key);
  applyFilter(deps, node);
  return {};
}

async function route(deps: RabbitDeps, call: CommandCall): Promise<{ queues: string[]; exchanges: string[] }> {
  const t = await target(deps, call);
  const a = argsOf(call);
  const exchange = await exchangeArg(t, call, 'exchange', {
    title: vscode.l10n.t('Test a route from which exchange of {0}?', where(t)),
    allowDefault: true,
  });
  let routingKey: string;
  let headers: Record<string, unknown> | undefined;
  if (call.args) {
    routingKey = str(a, 'routingKey') ?? '';
    headers = obj(a, 'headers');
  } else {
    routingKey = await call.prompts.ask(vscode.l10n.t('Routing key of a message sent to {0}', exchangeLabel(exchange.name)), {
      prompt: vscode.l10n.t('Topic exchanges match it against * (one word) and # (zero or more words).'),
    });
    if (exchange.info?.type === 'headers')
      headers = jsonObject(
        await call.prompts.ask(vscode.l10n.t('Message headers (JSON)'), { value: '{}', validate: validateJsonObject }),
        vscode.l10n.t('message headers'),
      );
  }
  const result = await testRoute(t.session.management(), t.vhost, { exchange: exchange.name, routingKey, ...(headers ? { headers } : {}) });
  if (call.interactive) {
    const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');
    const queues = result.queues.length > 0 ? vscode.l10n.t('queues {0}', quoted(result.queues)) : vscode.l10n.t('no queue');
    const via = result.exchanges.length > 0 ? ` ${vscode.l10n.t('(through exchanges {0})', quoted(result.exchanges))}` : '';
    const detail =
      result.notes.length > 0
        ? vscode.l10n.t('Not computed: {0}.', result.notes.join('; '))
        : vscode.l10n.t('Computed from the bindings the management API reports; nothing was published.');
    void vscode.window.showInformationMessage(
      vscode.l10n.t('A message to {0} with routing key "{1}" reaches {2}{3}.', exchangeLabel(exchange.name), routingKey, queues, via),
      { detail },
    );
  }
  return { queues: result.queues, exchanges: result.exchanges };
}

export function rabbitBrowseCommands(deps: RabbitDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.rabbitmq.list', run: (call) => list(deps, call) },
    { id: 'brokerExplorer.rabbitmq.filter', run: (call) => setFilter(deps, call) },
    { id: 'brokerExplorer.rabbitmq.clearFilter', run: (call) => clearFilter(deps, call) },
    { id: 'brokerExplorer.rabbitmq.testRoute', run: (call) => route(deps, call) },
  ];
}
