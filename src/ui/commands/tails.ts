/** tails.read, tails.stop, tails.show — for every subscription, tail, consumer or TCP session. */
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';
import { formatCount } from '../../core/units';
import type { Tail, TailRegistry } from '../tails/tailRegistry';
import { TailNode } from '../tree/tailNodes';
import { num, str } from './args';
import type { CommandCall, CommandSpec } from './registry';

const nothingRunning = (): string => vscode.l10n.t('Nothing is running: no subscription, tail, consumer or TCP session.');

/** A running tail as a quick pick item: its label, its kind and how many messages it has seen. */
function tailItem(t: Tail): vscode.QuickPickItem & { id: string } {
  const n = t.count();
  const description =
    n === 1 ? vscode.l10n.t('{0} · {1} message', t.kind, formatCount(n)) : vscode.l10n.t('{0} · {1} messages', t.kind, formatCount(n));
  return { label: t.label, description, id: t.id };
}

async function pickTail(registry: TailRegistry, call: CommandCall): Promise<string> {
  if (call.node instanceof TailNode) return call.node.tail.id;
  if (call.args) return str(call.args, 'id', true);
  const tails = registry.list();
  if (tails.length === 0) throw new InputError(nothingRunning());
  const pick = await call.prompts.pick(tails.map(tailItem), { title: vscode.l10n.t('Which one?') });
  return pick.id;
}

/** The running tails: with arguments, their list; from the status bar, a pick of one to show or stop (or all to stop). */
async function running(registry: TailRegistry, call: CommandCall): Promise<unknown> {
  const tails = registry.list();
  const listed = tails.map((t) => ({ id: t.id, kind: t.kind, label: t.label, messages: t.count() }));
  if (call.args) return { tails: listed };
  if (tails.length === 0) {
    call.prompts.info(nothingRunning());
    return undefined;
  }
  const stopAll = { label: vscode.l10n.t('Stop all'), description: vscode.l10n.t('{0} running', formatCount(tails.length)), id: '' };
  const pick = await call.prompts.pick([...tails.map(tailItem), stopAll], { title: vscode.l10n.t('Running tails') });
  if (pick === stopAll) {
    for (const t of tails) await registry.stop(t.id);
    return undefined;
  }
  const stop = vscode.l10n.t('Stop');
  const action = await call.prompts.pick([vscode.l10n.t('Show Output'), stop], { title: pick.label });
  if (action === stop) await registry.stop(pick.id);
  else registry.get(pick.id).show?.();
  return undefined;
}

export function tailCommands(registry: TailRegistry): CommandSpec[] {
  return [
    { id: 'brokerExplorer.tails.running', run: (call) => running(registry, call) },
    {
      id: 'brokerExplorer.tails.read',
      run: async (call) => {
        const args = call.args ?? {};
        const id = await pickTail(registry, call);
        return registry.read(id, num(args, 'take', { min: 1, max: 1_000_000 }) ?? 1, num(args, 'timeoutMs', { min: 0, max: 600_000 }) ?? 0);
      },
    },
    {
      id: 'brokerExplorer.tails.stop',
      run: async (call) => ({ stopped: await registry.stop(await pickTail(registry, call)) }),
    },
    {
      id: 'brokerExplorer.tails.show',
      run: async (call) => {
        registry.get(await pickTail(registry, call)).show?.();
        return {};
      },
    },
  ];
}
