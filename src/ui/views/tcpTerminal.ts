/**
 * A terminal over a raw TCP session: each line typed is sent with the chosen
 * line ending, everything received is shown (text as text, binary as hex),
 * and the transport's events — connectionMade, dataReceived, connectionLost,
 * connectionFailed — are printed as they happen. Ctrl+C closes the session;
 * after it ends, any key closes the terminal.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { formatPayload } from '../../core/bytes';
import { TcpSession, formatTcpEvent, type TcpEvent, type TcpSessionOptions } from '../../core/tcp/tcpSession';

export type LineEnding = '\n' | '\r\n' | '';

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const RED = '\x1b[31m';
const CYAN = '\x1b[36m';
const PROMPT = `${CYAN}> ${RESET}`;
const CLEAR_LINE = '\r\x1b[2K';
/** CSI / SS3 / two-byte escape sequences (arrow keys, function keys, …): ignored as input. */
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O.|.)?/g;

function describeEnding(ending: LineEnding): string {
  return ending === '\r\n' ? '\\r\\n' : ending === '\n' ? '\\n' : vscode.l10n.t('none');
}

const pressAnyKey = (): string => vscode.l10n.t('Press any key to close this terminal.');

/** Terminal text: `\n` becomes `\r\n`. */
function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

export class TcpTerminal implements vscode.Pseudoterminal, vscode.Disposable {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite: vscode.Event<string> = this.writeEmitter.event;
  readonly onDidClose: vscode.Event<number | void> = this.closeEmitter.event;
  readonly session: TcpSession;
  private readonly lineEnding: LineEnding;
  private readonly stopListening: () => void;
  private line = '';
  private lastWasCr = false;
  private opened = false;
  private ended = false;
  private readonly pending: string[] = [];

  /**
   * @param session a session (connected or not), the options to make one, or a factory.
   * @param lineEnding what Enter appends to the line sent.
   */
  constructor(session: TcpSession | TcpSessionOptions | (() => TcpSession), lineEnding: LineEnding = '\r\n') {
    this.session = session instanceof TcpSession ? session : typeof session === 'function' ? session() : new TcpSession(session);
    this.lineEnding = lineEnding;
    this.stopListening = this.session.onEvent((event) => this.onEvent(event));
  }

  /** Connects if nobody has yet; resolves once connected, rejects with the failure sentence. */
  connect(): Promise<void> {
    return this.session.state === 'new' || this.session.state === 'connecting' ? this.session.connect() : Promise.resolve();
  }

  open(): void {
    this.opened = true;
    const banner = vscode.l10n.t(
      'TCP session to {0}. Enter sends the line + {1}; Backspace edits; Ctrl+C closes.',
      this.session.endpoint,
      describeEnding(this.lineEnding),
    );
    this.writeEmitter.fire(crlf(`${DIM}${banner}${RESET}\n`));
    if (this.session.state === 'new' || this.session.state === 'connecting') {
      this.writeEmitter.fire(crlf(`${DIM}${vscode.l10n.t('Connecting to {0}…', this.session.endpoint)}${RESET}\n`));
    }
    const pending = this.pending.splice(0);
    for (const text of pending) this.writeEmitter.fire(text);
    if (this.session.state === 'new') this.connect().catch(() => undefined);
    if (pending.length === 0 && !this.ended) this.writeEmitter.fire(PROMPT + this.line);
  }

  /** The user closed the terminal: the session goes with it. */
  close(): void {
    void this.session.close();
    this.dispose();
  }

  dispose(): void {
    this.stopListening();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }

  handleInput(data: string): void {
    if (this.ended) {
      this.closeEmitter.fire();
      return;
    }
    for (const ch of data.replace(ESCAPE_SEQUENCE, '')) {
      const wasCr = this.lastWasCr;
      this.lastWasCr = ch === '\r';
      switch (ch) {
        case '\r':
          this.sendLine();
          break;
        case '\n':
          if (!wasCr) this.sendLine();
          break;
        case '\x7f':
        case '\b': {
          const chars = Array.from(this.line);
          if (chars.length > 0) {
            chars.pop();
            this.line = chars.join('');
            this.write('\b \b');
          }
          break;
        }
        case '\x03':
          this.write(`^C\r\n${DIM}${vscode.l10n.t('Closing…')}${RESET}\r\n`);
          this.line = '';
          void this.session.close();
          return;
        case '\x04':
          if (this.line === '') {
            void this.session.close();
            return;
          }
          break;
        case '\x15':
          this.line = '';
          this.write(CLEAR_LINE + PROMPT);
          break;
        default:
          if (ch >= ' ' || ch === '\t') {
            this.line += ch;
            this.write(ch);
          }
      }
    }
  }

  private sendLine(): void {
    const text = this.line + this.lineEnding;
    this.line = '';
    this.write('\r\n');
    if (this.session.state !== 'open') {
      this.print(`${RED}${vscode.l10n.t('Not sent: the session is {0}.', this.session.state)}${RESET}`);
      return;
    }
    this.session.write(text).then(
      (n) => {
        if (n === 0) this.print(`${DIM}${vscode.l10n.t('(nothing to send)')}${RESET}`);
      },
      (err: unknown) => this.print(`${RED}${errorMessage(err)}${RESET}`),
    );
    if (!this.ended) this.write(PROMPT);
  }

  private onEvent(event: TcpEvent): void {
    const line = formatTcpEvent(event);
    switch (event.type) {
      case 'connectionMade':
        this.print(`${GREEN}● ${line}${RESET}`);
        break;
      case 'dataReceived': {
        const shown = crlf(formatPayload(event.data));
        this.print(`${DIM}‹ ${line}${RESET}\r\n${shown}${shown.endsWith('\r\n') ? '' : `${DIM}⏎${RESET}\r\n`}`, true);
        break;
      }
      case 'connectionLost':
        this.ended = true;
        this.print(`${event.reason === undefined ? YELLOW : RED}■ ${line}${RESET}\r\n${DIM}${pressAnyKey()}${RESET}`);
        break;
      case 'connectionFailed':
        this.ended = true;
        this.print(`${RED}✖ ${line}${RESET}\r\n${DIM}${pressAnyKey()}${RESET}`);
        break;
    }
  }

  /** Prints above the input line, then redraws the prompt and what was typed. */
  private print(text: string, raw = false): void {
    const body = raw ? text : crlf(text);
    const end = body.endsWith('\r\n') ? '' : '\r\n';
    this.write(`${CLEAR_LINE}${body}${end}${this.ended ? '' : PROMPT + this.line}`);
  }

  private write(text: string): void {
    if (this.opened) this.writeEmitter.fire(text);
    else this.pending.push(text);
  }
}

export interface TcpTerminalArgs extends TcpSessionOptions {
  lineEnding?: LineEnding;
  /** Terminal name; `TCP ⟫ host:port` when absent. */
  name?: string;
}

export interface OpenedTcpTerminal {
  terminal: vscode.Terminal;
  session: TcpSession;
  pty: TcpTerminal;
  /** Resolves once connected (connectionMade); rejects with the connectionFailed sentence. */
  connected: Promise<void>;
}

/**
 * Creates and shows a terminal over a new TCP session and starts connecting
 * at once. `window` is `vscode.window` (or a stand-in with createTerminal).
 */
export function openTcpTerminal(window: Pick<typeof vscode.window, 'createTerminal'>, args: TcpTerminalArgs): OpenedTcpTerminal {
  const { lineEnding, name, ...options } = args;
  const pty = new TcpTerminal(options, lineEnding ?? '\r\n');
  const terminal = window.createTerminal({ name: name ?? `TCP ⟫ ${pty.session.endpoint}`, pty });
  terminal.show();
  const connected = pty.connect();
  connected.catch(() => undefined);
  return { terminal, session: pty.session, pty, connected };
}
