/**
 * A form for a typed operation, driven by its spec: one prompt per
 * required argument, a multi-select for the optional ones, lists typed with
 * redis-cli quoting, enums as pick lists. Produces the plain argument
 * object the core validates (so bad input is refused before sending).
 */
import * as vscode from 'vscode';
import type { Prompts } from '../../prompts';
import { InputError, errorMessage } from '../../../core/errors';
import type { ArgSpec, OperationSpec } from '../../../core/redis/opsSpec';
import { quoteArg, splitArgs } from '../../../core/redis/tokenizer';

export interface FormPrefill {
  /** The key the call is about (a key node): fills `key` / `source`, and defaults `keys`. */
  key?: Buffer;
}

function listHint(): string {
  return vscode.l10n.t('Separate items with spaces; quote like redis-cli ("a b", \\xHH for a byte).');
}

function validateWords(v: string, even = false, min = 1): string | undefined {
  try {
    const words = splitArgs(v);
    if (words.length < min)
      return min === 1 ? vscode.l10n.t('Give at least {0} item.', min) : vscode.l10n.t('Give at least {0} items.', min);
    if (even && words.length % 2 !== 0) return vscode.l10n.t('Give pairs: {0} items is an odd number.', words.length);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

/** "A whole number ≥ 0 ≤ 10." with the bounds the spec has. */
function wholeNumber(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return vscode.l10n.t('A whole number ≥ {0} ≤ {1}.', min, max);
  if (min !== undefined) return vscode.l10n.t('A whole number ≥ {0}.', min);
  if (max !== undefined) return vscode.l10n.t('A whole number ≤ {0}.', max);
  return vscode.l10n.t('A whole number.');
}

function promptFor(arg: ArgSpec): { prompt: string; placeHolder?: string; validate?: (v: string) => string | undefined } {
  const help = arg.help ? ` ${arg.help}.` : '';
  switch (arg.kind) {
    case 'key':
    case 'bytes':
      return { prompt: `${vscode.l10n.t('Text, sent as UTF-8 bytes exactly as typed.')}${help}` };
    case 'keys':
    case 'bytesList':
    case 'floats':
      return { prompt: `${listHint()}${help}`, validate: (v) => validateWords(v) };
    case 'pairs': {
      // Field names only (the spec's data words) and symbols: nothing here to translate but the hint.
      const [a, b] = arg.pairNames ?? ['field', 'value'];
      return { prompt: `${a} ${b} ${a} ${b} … — ${listHint()}${help}`, validate: (v) => validateWords(v, true, 2) };
    }
    case 'scoreMembers':
      return {
        prompt: `${vscode.l10n.t('score member score member … (scores: numbers, inf, -inf) — {0}', listHint())}${help}`,
        placeHolder: '1 one 2.5 two',
        validate: (v) => validateWords(v, true, 2),
      };
    case 'integer':
      return {
        prompt: `${wholeNumber(arg.min, arg.max)}${help}`,
        validate: (v) => (/^\s*-?\d+\s*$/.test(v) ? undefined : vscode.l10n.t('Give a whole number.')),
      };
    case 'float':
      return { prompt: `${arg.allowInf ? vscode.l10n.t('A number (or inf / -inf).') : vscode.l10n.t('A number.')}${help}` };
    case 'scoreBound':
      return { prompt: `${vscode.l10n.t('A score bound: 1.5 (inclusive), (1.5 (exclusive), -inf or +inf.')}${help}` };
    case 'lexBound':
      return { prompt: `${vscode.l10n.t('A lex bound: [a (inclusive), (a (exclusive), - (lowest) or + (highest).')}${help}` };
    case 'bound':
      return {
        prompt: `${vscode.l10n.t('Rank (0, -1…), score (1, (1, -inf, +inf) or lex ([a, (a, -, +) — as the range kind says.')}${help}`,
      };
    default:
      return { prompt: help.trim() };
  }
}

async function askOne(prompts: Prompts, spec: OperationSpec, arg: ArgSpec, prefill: FormPrefill): Promise<unknown> {
  const title = `${spec.command} — ${arg.label}`;
  if (arg.kind === 'enum') {
    const pick = await prompts.pick(
      (arg.values ?? []).map((v) => ({ label: v })),
      { title, placeHolder: arg.help ?? '' },
    );
    return pick.label;
  }
  if (arg.kind === 'flag') return true;
  const p = promptFor(arg);
  const defaultValue = arg.kind === 'keys' && prefill.key ? quoteArg(prefill.key) : undefined;
  const text = await prompts.ask(title, {
    prompt: p.prompt,
    ...(p.placeHolder ? { placeHolder: p.placeHolder } : {}),
    ...(defaultValue !== undefined ? { value: defaultValue } : {}),
    ...(p.validate ? { validate: p.validate } : {}),
  });
  switch (arg.kind) {
    case 'key':
    case 'bytes':
    case 'lexBound':
      return Buffer.from(text, 'utf8');
    case 'keys':
    case 'bytesList':
      return splitArgs(text);
    case 'floats':
      return splitArgs(text).map((b) => b.toString('utf8'));
    case 'pairs': {
      const [a, b] = arg.pairNames ?? ['field', 'value'];
      const words = splitArgs(text);
      const out: Record<string, Buffer>[] = [];
      for (let i = 0; i + 1 < words.length; i += 2) out.push({ [a]: words[i], [b]: words[i + 1] });
      return out;
    }
    case 'scoreMembers': {
      const words = splitArgs(text);
      const out: { score: string; member: Buffer }[] = [];
      for (let i = 0; i + 1 < words.length; i += 2) out.push({ score: words[i].toString('utf8'), member: words[i + 1] });
      return out;
    }
    default:
      return text.trim();
  }
}

/** Asks for an operation's arguments; a dismissed prompt cancels. */
export async function askArgs(prompts: Prompts, spec: OperationSpec, prefill: FormPrefill = {}): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const required = spec.args.filter((a) => !a.optional);
  const optional = spec.args.filter((a) => a.optional);
  let usedKey = false;
  for (const arg of required) {
    if (prefill.key && !usedKey && arg.kind === 'key' && (arg.name === 'key' || arg.name === 'source')) {
      out[arg.name] = prefill.key;
      usedKey = true;
      continue;
    }
    out[arg.name] = await askOne(prompts, spec, arg, prefill);
  }
  if (optional.length > 0) {
    const picks = await prompts.pickMany(
      optional.map((a) => ({ label: a.label, description: a.kind === 'flag' ? vscode.l10n.t('flag') : '', detail: a.help ?? '', arg: a })),
      { title: vscode.l10n.t('{0} — optional arguments (pick none, one or several)', spec.command) },
    );
    for (const p of picks) out[p.arg.name] = await askOne(prompts, spec, p.arg, prefill);
  }
  if (Object.keys(out).length === 0 && spec.args.length > 0) throw new InputError(vscode.l10n.t('{0} needs arguments.', spec.command));
  return out;
}
