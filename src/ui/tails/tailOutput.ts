/**
 * One output channel per tail, named for what it tails. Lines are batched
 * (one append per 100 ms however fast messages arrive) and the channel is
 * trimmed to about `maxLines`, keeping the newest half when it overflows.
 */
import * as vscode from 'vscode';

export class TailOutput implements vscode.Disposable {
  private readonly channel: vscode.OutputChannel;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The newest lines written, so a trim can keep them. */
  private recent: string[] = [];
  private lines = 0;
  private disposed = false;

  constructor(
    readonly name: string,
    private readonly maxLines: number,
    redact: (text: string) => string = (t) => t,
  ) {
    this.channel = vscode.window.createOutputChannel(name);
    this.redact = redact;
  }

  private readonly redact: (text: string) => string;

  show(): void {
    this.channel.show(true);
  }

  /** Queues lines; they reach the channel within 100 ms. */
  append(...lines: string[]): void {
    if (this.disposed) return;
    for (const line of lines) this.pending.push(this.redact(line));
    this.timer ??= setTimeout(() => this.flush(), 100);
  }

  flush(): void {
    this.timer = undefined;
    if (this.disposed || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.lines += batch.length;
    this.recent.push(...batch);
    const keep = Math.max(1, Math.floor(this.maxLines / 2));
    if (this.recent.length > this.maxLines) this.recent = this.recent.slice(-keep);
    if (this.lines > this.maxLines) {
      const trimmed = this.lines - this.recent.length;
      this.channel.replace(`… ${trimmed.toLocaleString('en-US')} older lines trimmed (brokerExplorer.tailMaxLines) …\n${this.recent.join('\n')}\n`);
      this.lines = this.recent.length;
    } else {
      this.channel.append(`${batch.join('\n')}\n`);
    }
  }

  dispose(): void {
    this.flush();
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.channel.dispose();
  }
}

export function timestamp(ms: number = Date.now()): string {
  const d = new Date(ms);
  return `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
