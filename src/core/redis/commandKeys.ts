/**
 * Which arguments of a command line are keys, for routing it on a Redis
 * Cluster: @ioredis/commands' key positions first (they parse numkeys,
 * STREAMS, STORE …), the server's COMMAND table to know a command is
 * keyless, and `COMMAND GETKEYS` on the server where neither can tell
 * (subcommands such as OBJECT ENCODING, commands newer than the list).
 */
import * as ioredisCommands from '@ioredis/commands';
import type { CommandCatalog } from './commandInfo';
import type { ReplySource } from './reply';

/** Key positions @ioredis/commands knows (indexes into argv), or undefined when it does not know the command. */
function staticKeyIndexes(name: string, args: readonly Buffer[]): number[] | undefined {
  if (!ioredisCommands.exists(name)) return undefined;
  try {
    return ioredisCommands.getKeyIndexes(name, [...args]).map((i) => i + 1);
  } catch {
    return undefined;
  }
}

/** True when the live COMMAND table says the command takes no key at all. */
function surelyKeyless(catalog: CommandCatalog | undefined, name: string): boolean {
  if (!catalog?.live) return false;
  const desc = catalog.get(name);
  return desc !== undefined && desc.firstKey === 0 && desc.subcommands.length === 0 && !desc.flags.includes('movablekeys');
}

/**
 * The keys of a command line (possibly none). `server` answers
 * `COMMAND GETKEYS` where the static tables cannot tell.
 */
export async function commandKeys(argv: readonly Buffer[], catalog: CommandCatalog | undefined, server: ReplySource): Promise<Buffer[]> {
  if (argv.length === 0) return [];
  const name = argv[0].toString('latin1').toLowerCase();
  const known = staticKeyIndexes(name, argv.slice(1));
  if (known && known.length > 0) return known.filter((i) => i < argv.length).map((i) => argv[i]);
  if (surelyKeyless(catalog, name)) return [];
  const reply = await server.send([Buffer.from('COMMAND'), Buffer.from('GETKEYS'), ...argv]);
  if (reply.type !== 'array') return [];
  return reply.items.flatMap((item) => (item.type === 'bulk' ? [item.value] : []));
}
