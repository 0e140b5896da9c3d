/**
 * The only part of `vscode` the output pipeline (src/ui/tails/tailOutput.ts)
 * touches at run time is `window.createOutputChannel`. The benchmark runs in
 * plain Node, so `require('vscode')` is pointed at this module, whose output
 * channel only counts what it is given. Everything else in the pipeline
 * (batching, trimming, joining) is the real code.
 */
import Module from 'node:module';

export class CountingChannel {
  appends = 0;
  replaces = 0;
  /** Characters handed to append / replace. */
  chars = 0;
  /** Newlines appended (replace() rewrites the channel; its lines are not counted again). */
  appendedLines = 0;
  /** The last text written, to check the newest line made it through. */
  last = '';

  constructor(readonly name: string) {}

  append(text: string): void {
    this.appends++;
    this.chars += text.length;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.appendedLines++;
    this.last = text;
  }

  appendLine(text: string): void {
    this.append(`${text}\n`);
  }

  replace(text: string): void {
    this.replaces++;
    this.chars += text.length;
    this.last = text;
  }

  clear(): void {
    this.last = '';
  }

  show(): void {
    // nothing to show
  }

  hide(): void {
    // nothing to hide
  }

  dispose(): void {
    // nothing to free
  }
}

export const channels: CountingChannel[] = [];

export const window = {
  createOutputChannel(name: string): CountingChannel {
    const c = new CountingChannel(name);
    channels.push(c);
    return c;
  },
};

let installed = false;

/** Makes `require('vscode')` resolve to this module (idempotent). */
export function installFakeVscode(): void {
  if (installed) return;
  installed = true;
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  const self = __filename;
  M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    if (request === 'vscode') return self;
    return original.call(this, request, ...rest);
  };
}

installFakeVscode();
