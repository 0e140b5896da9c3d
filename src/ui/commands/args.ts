/** Reading typed fields out of a command's plain argument object. */
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';
import type { BytesLike } from '../../core/bytes';
import { isHexBytes } from '../../core/bytes';

export type Args = Record<string, unknown>;

export function str(args: Args, key: string, required: true): string;
export function str(args: Args, key: string, required?: false): string | undefined;
export function str(args: Args, key: string, required = false): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) {
    if (required) throw new InputError(vscode.l10n.t('The argument "{0}" is missing.', key));
    return undefined;
  }
  if (typeof v !== 'string') throw new InputError(vscode.l10n.t('The argument "{0}" must be text, not {1}.', key, typeof v));
  return v;
}

export function num(args: Args, key: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || ((opts.integer ?? true) && !Number.isInteger(n))) {
    throw new InputError(
      (opts.integer ?? true)
        ? vscode.l10n.t('The argument "{0}" must be a whole number, not {1}.', key, JSON.stringify(v))
        : vscode.l10n.t('The argument "{0}" must be a number, not {1}.', key, JSON.stringify(v)),
    );
  }
  if (opts.min !== undefined && n < opts.min)
    throw new InputError(vscode.l10n.t('The argument "{0}" is {1}: it must be at least {2}.', key, n, opts.min));
  if (opts.max !== undefined && n > opts.max)
    throw new InputError(vscode.l10n.t('The argument "{0}" is {1}: it must be at most {2}.', key, n, opts.max));
  return n;
}

export function bool(args: Args, key: string): boolean | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new InputError(vscode.l10n.t('The argument "{0}" must be true or false.', key));
  return v;
}

export function bytes(args: Args, key: string, required: true): BytesLike;
export function bytes(args: Args, key: string, required?: false): BytesLike | undefined;
export function bytes(args: Args, key: string, required = false): BytesLike | undefined {
  const v = args[key];
  if (v === undefined || v === null) {
    if (required) throw new InputError(vscode.l10n.t('The argument "{0}" is missing.', key));
    return undefined;
  }
  if (typeof v === 'string' || isHexBytes(v)) return v;
  throw new InputError(vscode.l10n.t('The argument "{0}" must be a string or { "hex": "…" }.', key));
}

export function obj(args: Args, key: string): Args | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new InputError(vscode.l10n.t('The argument "{0}" must be an object.', key));
  return v as Args;
}

export function list(args: Args, key: string): unknown[] | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new InputError(vscode.l10n.t('The argument "{0}" must be a list.', key));
  return v as unknown[];
}
