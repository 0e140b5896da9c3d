/**
 * The console's input line: text with a cursor, history recalled with the
 * arrow keys, and the terminal escape sequences to draw it; the text of
 * its banner, HELP and Tab completion.
 */
import * as vscode from 'vscode';
import { findDoc, type CommandDoc } from '../../core/redis/commandInfo';

export type LineKey = 'left' | 'right' | 'up' | 'down' | 'home' | 'end' | 'delete';

/** Escape sequences a terminal sends for editing keys. */
const KEYS: [string, LineKey][] = [
  ['\x1b[A', 'up'],
  ['\x1b[B', 'down'],
  ['\x1b[C', 'right'],
  ['\x1b[D', 'left'],
  ['\x1bOA', 'up'],
  ['\x1bOB', 'down'],
  ['\x1bOC', 'right'],
  ['\x1bOD', 'left'],
  ['\x1b[H', 'home'],
  ['\x1b[F', 'end'],
  ['\x1bOH', 'home'],
  ['\x1bOF', 'end'],
  ['\x1b[1~', 'home'],
  ['\x1b[4~', 'end'],
  ['\x1b[3~', 'delete'],
];

/** Any other CSI / SS3 sequence: ignored. */
const OTHER_ESCAPE = /^\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O.|.)?/;

export type InputToken = { key: LineKey } | { char: string } | { ignored: string };

/** Splits terminal input into editing keys and characters. */
export function tokenizeInput(data: string): InputToken[] {
  const out: InputToken[] = [];
  let i = 0;
  while (i < data.length) {
    if (data[i] === '\x1b') {
      const rest = data.slice(i);
      const known = KEYS.find(([seq]) => rest.startsWith(seq));
      if (known) {
        out.push({ key: known[1] });
        i += known[0].length;
        continue;
      }
      const m = OTHER_ESCAPE.exec(rest);
      const len = m ? m[0].length : 1;
      out.push({ ignored: rest.slice(0, len) });
      i += len;
      continue;
    }
    const cp = data.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    out.push({ char: ch });
    i += ch.length;
  }
  return out;
}

export class LineEditor {
  private chars: string[] = [];
  private cursor = 0;
  private readonly history: string[] = [];
  /** Index into history while browsing; history.length means the line being typed. */
  private browsing = 0;
  private draft = '';

  constructor(private readonly maxHistory = 1000) {}

  get text(): string {
    return this.chars.join('');
  }

  get position(): number {
    return this.cursor;
  }

  set(text: string): void {
    this.chars = Array.from(text);
    this.cursor = this.chars.length;
  }

  insert(ch: string): void {
    this.chars.splice(this.cursor, 0, ch);
    this.cursor++;
  }

  backspace(): boolean {
    if (this.cursor === 0) return false;
    this.chars.splice(this.cursor - 1, 1);
    this.cursor--;
    return true;
  }

  key(key: LineKey): void {
    switch (key) {
      case 'left':
        this.cursor = Math.max(0, this.cursor - 1);
        break;
      case 'right':
        this.cursor = Math.min(this.chars.length, this.cursor + 1);
        break;
      case 'home':
        this.cursor = 0;
        break;
      case 'end':
        this.cursor = this.chars.length;
        break;
      case 'delete':
        if (this.cursor < this.chars.length) this.chars.splice(this.cursor, 1);
        break;
      case 'up':
        if (this.browsing > 0) {
          if (this.browsing === this.history.length) this.draft = this.text;
          this.browsing--;
          this.set(this.history[this.browsing]);
        }
        break;
      case 'down':
        if (this.browsing < this.history.length) {
          this.browsing++;
          this.set(this.browsing === this.history.length ? this.draft : this.history[this.browsing]);
        }
        break;
    }
  }

  /** Ends the line: returns it and, unless blank or a repeat, adds it to the history. */
  take(): string {
    const line = this.text;
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > this.maxHistory) this.history.shift();
    }
    this.browsing = this.history.length;
    this.draft = '';
    this.chars = [];
    this.cursor = 0;
    return line;
  }

  clear(): void {
    this.chars = [];
    this.cursor = 0;
    this.browsing = this.history.length;
  }

  /** Escape sequence that redraws the line after `prompt` with the cursor in place. */
  render(prompt: string): string {
    const back = this.chars.length - this.cursor;
    return `\r\x1b[2K${prompt}${this.text}${back > 0 ? `\x1b[${back}D` : ''}`;
  }
}

const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** The console's first line: where it runs, and its keys. */
export function bannerText(profile: string, where: string, readOnly: boolean): string {
  return readOnly
    ? vscode.l10n.t(
        'Redis console on "{0}" ({1}), read-only. HELP <command> explains a command; Tab completes; Ctrl+C interrupts; QUIT closes.',
        profile,
        where,
      )
    : vscode.l10n.t(
        'Redis console on "{0}" ({1}). HELP <command> explains a command; Tab completes; Ctrl+C interrupts; QUIT closes.',
        profile,
        where,
      );
}

/** What redis-cli says when it enters subscribe mode. */
export const readingText = (): string => vscode.l10n.t('Reading messages... (press Ctrl+C to quit)');

/** What HELP prints: a hint without words, else the command's syntax and summary from COMMAND DOCS. */
export function helpText(docs: readonly CommandDoc[], words: readonly string[]): string {
  if (words.length === 0)
    return `${vscode.l10n.t('Type a command as in redis-cli, e.g. SET key "a value". HELP <command> shows its syntax and summary.')}\r\n`;
  const doc = findDoc(docs, words);
  if (!doc) return `${DIM}${vscode.l10n.t('No help for {0}.', words.join(' '))}${RESET}\r\n`;
  const lines = [
    `${doc.name} ${doc.syntax}`,
    vscode.l10n.t('summary: {0}', doc.summary),
    ...(doc.since ? [vscode.l10n.t('since: {0}', doc.since)] : []),
    ...(doc.group ? [vscode.l10n.t('group: {0}', doc.group)] : []),
  ];
  return `\r\n${lines.map((l) => `  ${l}\r\n`).join('')}\r\n`;
}

/** Command names that complete the typed word (upper case, each once). */
export function completions(docs: readonly CommandDoc[], typed: string): string[] {
  const prefix = typed.trim().toUpperCase();
  return [...new Set(docs.map((d) => d.name.split(' ')[0]).filter((n) => n.startsWith(prefix)))];
}
