/**
 * The `.redis` file language: one command per line in redis-cli quoting,
 * `#` at the start of a line (after blanks) for comments, blank lines
 * ignored. Read line by line from a stream, so a 100,000-line file runs in
 * batches with progress and cancel and is never held whole.
 */
import * as l10n from '@vscode/l10n';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { errorMessage } from '../errors';
import { runScript, type RespTarget, type ScriptEntry, type ScriptOptions, type ScriptResult } from './commandRunner';
import { splitArgs } from './tokenizer';

/** One line of a .redis file: a command, nothing (blank / comment), or a parse error. */
export function parseLine(text: string, line: number): ScriptEntry | undefined {
  const trimmed = text.trimStart();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  try {
    const argv = splitArgs(text);
    return argv.length === 0 ? undefined : { line, argv };
  } catch (err) {
    return { line, error: l10n.t('Line {0}: {1}', line, errorMessage(err)) };
  }
}

/** Parses text (a file or a selection); `firstLine` numbers its first line (default 1). */
export function parseRedisText(text: string, firstLine = 1): ScriptEntry[] {
  const out: ScriptEntry[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const entry = parseLine(line, firstLine + i);
    if (entry) out.push(entry);
  });
  return out;
}

/** A run of command lines with no blank line between them (comments inside are kept); lines are 0-based, `end` inclusive. */
export interface CommandBlock {
  start: number;
  end: number;
}

/** The command blocks of a text: where a "Run" lens goes and which lines it runs. */
export function commandBlocks(text: string): CommandBlock[] {
  const blocks: CommandBlock[] = [];
  let open: CommandBlock | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') {
      open = undefined;
    } else if (!trimmed.startsWith('#')) {
      if (open) open.end = i;
      else blocks.push((open = { start: i, end: i }));
    }
  });
  return blocks;
}

/** Streams the commands of a .redis file, with line numbers, reading the input lazily. */
export async function* parseRedisStream(input: Readable, firstLine = 1): AsyncGenerator<ScriptEntry> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = firstLine - 1;
  try {
    for await (const text of lines) {
      n++;
      const entry = parseLine(n === firstLine ? text.replace(/^\uFEFF/, '') : text, n);
      if (entry) yield entry;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Runs a .redis file from a stream as a pipeline or a transaction (see runScript). */
export function runRedisFile(target: RespTarget, input: Readable, options: ScriptOptions = {}): Promise<ScriptResult> {
  return runScript(target, parseRedisStream(input), options);
}
