import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { redactText } from '../core/profiles';

/**
 * The extension's own log: one LogOutputChannel; every line is redacted
 * against the passwords known to the session, and any URL password.
 */
export class ExtensionLog implements Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private readonly secrets = new Set<string>();

  constructor() {
    this.channel = vscode.window.createOutputChannel('Broker Explorer', { log: true });
  }

  /** Remembers a secret so it is masked wherever it would appear. */
  addSecret(secret: string | undefined): void {
    if (secret) this.secrets.add(secret);
  }

  redact(text: string): string {
    return redactText(text, [...this.secrets]);
  }

  trace(message: string): void {
    this.channel.trace(this.redact(message));
  }
  debug(message: string): void {
    this.channel.debug(this.redact(message));
  }
  info(message: string): void {
    this.channel.info(this.redact(message));
  }
  warn(message: string): void {
    this.channel.warn(this.redact(message));
  }
  error(message: string): void {
    this.channel.error(this.redact(message));
  }

  dispose(): void {
    this.channel.dispose();
  }
}
