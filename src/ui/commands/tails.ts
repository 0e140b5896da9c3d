/** tails.read, tails.stop, tails.show — for every subscription, tail, consumer or TCP session. */
import { InputError } from '../../core/errors';
import type { TailRegistry } from '../tails/tailRegistry';
import { TailNode } from '../tree/tailNodes';
import { num, str } from './args';
import type { CommandCall, CommandSpec } from './registry';

async function pickTail(registry: TailRegistry, call: CommandCall): Promise<string> {
  if (call.node instanceof TailNode) return call.node.tail.id;
  if (call.args) return str(call.args, 'id', true);
  const tails = registry.list();
  if (tails.length === 0) throw new InputError('Nothing is running: no subscription, tail, consumer or TCP session.');
  const pick = await call.prompts.pick(
    tails.map((t) => ({ label: t.label, description: `${t.kind} · ${t.count()} messages`, id: t.id })),
    { title: 'Which one?' },
  );
  return pick.id;
}

/** The running tails: with arguments, their list; from the status bar, a pick of one to show or stop (or all to stop). */
async function running(registry: TailRegistry, call: CommandCall): Promise<unknown> {
  const tails = registry.list();
  const listed = tails.map((t) => ({ id: t.id, kind: t.kind, label: t.label, messages: t.count() }));
  if (call.args) return { tails: listed };
  if (tails.length === 0) {
    call.prompts.info('Nothing is running: no subscription, tail, consumer or TCP session.');
    return undefined;
  }
  const stopAll = { label: 'Stop all', description: `${tails.length} running`, id: '' };
  const pick = await call.prompts.pick(
    [...tails.map((t) => ({ label: t.label, description: `${t.kind} · ${t.count()} messages`, id: t.id })), stopAll],
    { title: 'Running tails' },
  );
  if (pick === stopAll) {
    for (const t of tails) await registry.stop(t.id);
    return undefined;
  }
  const action = await call.prompts.pick(['Show Output', 'Stop'], { title: pick.label });
  if (action === 'Stop') await registry.stop(pick.id);
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
