/**
 * A redis-cli-like terminal: prompt `profile[db]>`, redis-cli quoting and
 * reply formatting, history on the arrow keys, SELECT, HELP <command> from
 * COMMAND DOCS, Tab completes command names, and SUBSCRIBE / PSUBSCRIBE /
 * SSUBSCRIBE stream messages until Ctrl+C (SSUBSCRIBE really goes on the
 * wire, so SPUBLISH traffic arrives). It owns its connections: one RESP
 * connection for commands (on a cluster, one per node, following MOVED /
 * ASK and printing each redirect like `redis-cli -c`), one more while
 * subscribed. A lost connection is said and reopened at once (on a
 * Sentinel profile, to the primary the sentinels name now).
 */
import * as vscode from 'vscode';
import type { RedisClient } from '../../core/redis/redisClient';
import { errorMessage } from '../../core/errors';
import { endpoint } from '../../core/profiles';
import type { CommandDoc } from '../../core/redis/commandInfo';
import { ClusterRouter } from '../../core/redis/clusterRouter';
import { runCommand, streamingMode } from '../../core/redis/commandRunner';
import { Subscription } from '../../core/redis/pubsub';
import { array, bulk, integer, type RedisReply } from '../../core/redis/reply';
import { formatReply } from '../../core/redis/replyFormat';
import type { RespClient } from '../../core/redis/respClient';
import type { CommandChannel } from '../../core/redis/scriptSink';
import type { Redirect } from '../../core/redis/slotMap';
import type { RedisSession } from '../../core/redis/session';
import { ShardSubscription } from '../../core/redis/shardSubscription';
import { splitArgs } from '../../core/redis/tokenizer';
import { bannerText, completions, helpText, LineEditor, readingText, tokenizeInput } from './consoleLine';

const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';
const MAX_TRANSCRIPT = 200_000;

export interface RedisConsoleOptions {
  /** The session it runs on: profile, starting db, read-only guard and command docs. */
  session: RedisSession;
  /** Opens a RESP connection of the console's own on a database (the SSUBSCRIBE one, under its own name). */
  connect(db: number, purpose?: string): Promise<RespClient>;
  /** Opens the command connection on a database (a router on a cluster, told of each redirect it follows). */
  commands(onRedirect: (redirect: Redirect) => void): Promise<CommandChannel>;
  /** Opens a connection for subscribe mode (closed when it ends). */
  subscriber(db: number): Promise<RedisClient>;
}

type Mode = 'idle' | 'busy' | 'subscribed' | 'closed';

function stopSubscription(sub: Subscription | ShardSubscription): void {
  if (sub instanceof ShardSubscription) sub.stop();
  else void sub.stop();
}

export class RedisConsole implements vscode.Pseudoterminal, vscode.Disposable {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite: vscode.Event<string> = this.writeEmitter.event;
  readonly onDidClose: vscode.Event<number | void> = this.closeEmitter.event;
  private readonly line = new LineEditor();
  private client: CommandChannel | undefined;
  private subscription: Subscription | ShardSubscription | undefined;
  private mode: Mode = 'idle';
  private db: number;
  private opened = false;
  private pending: string[] = [];
  private buffered: string[] = [];
  /** Bumped by Ctrl+C so an interrupted command's late reply is not printed. */
  private generation = 0;
  /** Everything written, newest last (bounded): what a test or a bug report reads. */
  transcript = '';

  constructor(private readonly options: RedisConsoleOptions) {
    this.db = options.session.db;
  }

  get prompt(): string {
    return `${this.options.session.profile.name}[${this.db}]> `;
  }

  open(): void {
    this.opened = true;
    const p = this.options.session.profile;
    this.write(`${DIM}${bannerText(p.name, endpoint(p), p.readOnly)}${RESET}\r\n`);
    for (const text of this.pending.splice(0)) this.writeEmitter.fire(text);
    this.mode = 'busy';
    this.ensureClient().then(
      () => this.ready(),
      (err: unknown) => {
        this.printError(errorMessage(err));
        this.ready();
      },
    );
  }

  close(): void {
    this.shutdown();
  }

  dispose(): void {
    this.shutdown();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }

  handleInput(data: string): void {
    if (this.mode === 'closed') return;
    for (const token of tokenizeInput(data)) {
      if ('char' in token && token.char === '\x03') {
        this.interrupt();
        continue;
      }
      if (this.mode !== 'idle') {
        // Typed while a command runs: kept and replayed once the prompt is back.
        if (this.mode === 'busy' && 'char' in token) this.buffered.push(token.char);
        continue;
      }
      if ('key' in token) {
        this.line.key(token.key);
        this.write(this.line.render(this.prompt));
      } else if ('char' in token) {
        this.onChar(token.char);
      }
    }
  }

  private onChar(ch: string): void {
    switch (ch) {
      case '\r':
      case '\n': {
        const text = this.line.take();
        this.write('\r\n');
        void this.execute(text);
        break;
      }
      case '\x7f':
      case '\b':
        if (this.line.backspace()) this.write(this.line.render(this.prompt));
        break;
      case '\x04':
        if (this.line.text === '') this.shutdown();
        break;
      case '\x15':
        this.line.clear();
        this.write(this.line.render(this.prompt));
        break;
      case '\x0c':
        this.write(`\x1b[2J\x1b[H${this.line.render(this.prompt)}`);
        break;
      case '\t':
        void this.complete();
        break;
      default:
        if (ch >= ' ') {
          const atEnd = this.line.position === Array.from(this.line.text).length;
          this.line.insert(ch);
          this.write(atEnd ? ch : this.line.render(this.prompt));
        }
    }
  }

  /** Runs one line as redis-cli would. */
  private async execute(text: string): Promise<void> {
    let argv: Buffer[];
    try {
      argv = splitArgs(text);
    } catch {
      this.write(`${vscode.l10n.t('Invalid argument(s)')}\r\n`);
      return this.ready();
    }
    if (argv.length === 0) return this.ready();
    const name = argv[0].toString('utf8').toUpperCase();
    if (name === 'QUIT' || name === 'EXIT') return this.shutdown();
    if (name === 'CLEAR') {
      this.write('\x1b[2J\x1b[H');
      return this.ready();
    }
    this.mode = 'busy';
    const generation = this.generation;
    try {
      if (name === 'HELP') await this.help(argv.slice(1).map((a) => a.toString('utf8')));
      else if (streamingMode(argv) === 'subscribe') return await this.subscribe(name, argv.slice(1));
      else {
        const client = await this.ensureClient();
        const reply = await runCommand({ session: this.options.session, client }, argv);
        if (generation !== this.generation) return;
        this.db = client.db;
        this.printReply(reply);
      }
    } catch (err) {
      if ((this.mode as Mode) === 'closed' || generation !== this.generation) return;
      this.printError(errorMessage(err));
    }
    this.ready();
  }

  /** The command connection; a new one (after a loss or Ctrl+C) starts on the console's own db, and the prompt says so. */
  private async ensureClient(): Promise<CommandChannel> {
    if (this.client?.connected) return this.client;
    if (this.client && this.db !== this.options.session.db)
      this.write(
        `${DIM}${vscode.l10n.t('(the connection was lost; the new one is on database {0})', this.options.session.db)}${RESET}\r\n`,
      );
    this.client = undefined;
    this.db = this.options.session.db;
    const client = await this.options.commands((r) =>
      this.write(`${vscode.l10n.t('-> Redirected to slot [{0}] located at {1}', r.slot, r.address)}\r\n`),
    );
    if (this.mode === 'closed') {
      client.close();
      throw new Error(vscode.l10n.t('the console was closed'));
    }
    this.client = client;
    this.watch(client);
    return client;
  }

  /** Says when the command connection is lost (a restart, a failover) and opens a new one at once when idle. */
  private watch(client: CommandChannel): void {
    if (client instanceof ClusterRouter) return; // a router opens a lost node again on its next command
    client.once('close', (reason) => {
      if (this.client !== client || this.mode === 'closed') return;
      this.client = undefined;
      this.db = this.options.session.db;
      const lost = vscode.l10n.t('-- the connection to {0} was lost ({1}); reconnecting --', client.address, errorMessage(reason));
      this.write(`\r\x1b[2K${DIM}${lost}${RESET}\r\n`);
      if (this.mode !== 'idle') return;
      this.mode = 'busy';
      this.ensureClient().then(
        (next) => {
          const connected =
            next instanceof ClusterRouter
              ? vscode.l10n.t('-- connected to the cluster --')
              : vscode.l10n.t('-- connected to {0} --', next.address);
          this.write(`${DIM}${connected}${RESET}\r\n`);
          this.ready();
        },
        (err: unknown) => {
          this.printError(errorMessage(err));
          this.ready();
        },
      );
    });
  }

  private async help(words: string[]): Promise<void> {
    this.write(helpText(words.length === 0 ? [] : await this.docs(), words));
  }

  private async docs(): Promise<CommandDoc[]> {
    return this.options.session.docs();
  }

  private async complete(): Promise<void> {
    const text = this.line.text;
    if (/\s/.test(text.trimStart()) || text.trim() === '') return;
    let docs: CommandDoc[];
    try {
      docs = await this.docs();
    } catch {
      return;
    }
    const names = completions(docs, text);
    if (names.length === 1) {
      this.line.set(`${names[0]} `);
      this.write(this.line.render(this.prompt));
    } else if (names.length > 1) {
      this.write(`\r\n${names.slice(0, 60).join('  ')}${names.length > 60 ? '  …' : ''}\r\n${this.line.render(this.prompt)}`);
    }
  }

  private async subscribe(name: string, names: Buffer[]): Promise<void> {
    if (names.length === 0) {
      this.printError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
      return this.ready();
    }
    if (name === 'SSUBSCRIBE') return this.shardSubscribe(names);
    const pattern = name === 'PSUBSCRIBE';
    const kind = pattern ? 'psubscribe' : 'subscribe';
    const sub = new Subscription(() => this.options.subscriber(this.db), {
      ...(pattern ? { patterns: names } : { channels: names }),
      bufferSize: 1,
      sink: (batch) => {
        let out = '';
        for (const m of batch) {
          const reply = m.pattern
            ? array([bulk('pmessage'), bulk(m.pattern), bulk(m.channel), bulk(m.message)])
            : array([bulk('message'), bulk(m.channel), bulk(m.message)]);
          out += `${formatReply(reply).replace(/\n/g, '\r\n')}\r\n`;
        }
        this.write(out);
      },
    });
    sub.on('ended', (reason) => {
      this.write(`${DIM}-- ${reason} --${RESET}\r\n`);
      this.endSubscription();
    });
    if (!(await this.startSubscription(sub))) return;
    this.mode = 'subscribed';
    let out = `${readingText()}\r\n`;
    names.forEach((n, i) => {
      out += `${formatReply(array([bulk(kind), bulk(n), integer(i + 1)])).replace(/\n/g, '\r\n')}\r\n`;
    });
    this.write(out);
  }

  /** SSUBSCRIBE on the wire: what the server pushes (confirmations, `smessage`s) is printed as it comes, like redis-cli. */
  private async shardSubscribe(channels: Buffer[]): Promise<void> {
    const router = this.client instanceof ClusterRouter ? this.client : undefined;
    const sub = new ShardSubscription({
      // On a cluster: the node serving the channel's slot (the server refuses channels of several slots).
      connect: () => (router?.connected ? router.dialFor(channels[0]) : this.options.connect(this.db, 'console-subscribe')),
      channels,
      onPush: (reply) => this.printReply(reply),
    });
    this.mode = 'subscribed';
    this.write(`${readingText()}\r\n`);
    await this.startSubscription(sub);
  }

  /**
   * Makes `sub` the console's subscription, reports its reconnects, and starts it. False when it was replaced (Ctrl+C)
   * meanwhile or failed to start (the failure printed and the prompt back).
   */
  private async startSubscription(sub: Subscription | ShardSubscription): Promise<boolean> {
    sub.on('lost', (reason) => this.write(`${DIM}-- ${reason} --${RESET}\r\n`));
    sub.on('resubscribed', () => this.write(`${DIM}${vscode.l10n.t('-- reconnected and subscribed again --')}${RESET}\r\n`));
    this.subscription = sub;
    try {
      await sub.start();
    } catch (err) {
      if (this.subscription !== sub) return false;
      this.subscription = undefined;
      this.printError(errorMessage(err));
      this.ready();
      return false;
    }
    return this.subscription === sub;
  }

  private endSubscription(): void {
    const sub = this.subscription;
    this.subscription = undefined;
    if (!sub) return;
    stopSubscription(sub);
    this.ready();
  }

  private interrupt(): void {
    if (this.mode === 'subscribed' || this.subscription) {
      this.write('^C\r\n');
      this.endSubscription();
      return;
    }
    if (this.mode === 'busy') {
      // A blocking command (BLPOP 0, …): drop the connection; the next command opens a new one on the same db.
      const interrupted = vscode.l10n.t(
        '(interrupted: the connection was closed; the next command opens a new one on database {0})',
        this.options.session.db,
      );
      this.write(`^C\r\n${DIM}${interrupted}${RESET}\r\n`);
      this.generation++;
      this.client?.close();
      this.client = undefined;
      this.db = this.options.session.db;
      this.buffered = [];
      this.ready();
      return;
    }
    this.line.clear();
    this.write(`^C\r\n${this.prompt}`);
  }

  private ready(): void {
    if (this.mode === 'closed') return;
    this.mode = 'idle';
    this.write(this.line.render(this.prompt));
    if (this.buffered.length > 0) this.handleInput(this.buffered.splice(0).join(''));
  }

  private printReply(reply: RedisReply): void {
    this.write(`${formatReply(reply).replace(/\n/g, '\r\n')}\r\n`);
  }

  private printError(message: string): void {
    this.write(`${RED}(error) ${message.replace(/\r?\n/g, ' ')}${RESET}\r\n`);
  }

  private write(text: string): void {
    this.transcript += text;
    if (this.transcript.length > MAX_TRANSCRIPT) this.transcript = this.transcript.slice(-MAX_TRANSCRIPT / 2);
    if (this.opened) this.writeEmitter.fire(text);
    else this.pending.push(text);
  }

  private shutdown(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    if (this.subscription) stopSubscription(this.subscription);
    this.subscription = undefined;
    this.client?.close();
    this.client = undefined;
    this.closeEmitter.fire();
  }
}
