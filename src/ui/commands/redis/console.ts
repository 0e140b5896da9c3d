/**
 * brokerExplorer.redis.openConsole: a redis-cli-like terminal on its own
 * connection. Open consoles are kept by id (for the API and tests).
 */
import * as vscode from 'vscode';
import { openCommandChannel } from '../../../core/redis/commandChannel';
import type { CommandSpec } from '../registry';
import { RedisConsole } from '../../views/redisConsole';
import { resolveTarget, type RedisTarget, type RedisUiDeps } from './redisTarget';

export interface OpenConsole {
  id: string;
  terminal: vscode.Terminal;
  pty: RedisConsole;
}

export class RedisConsoles implements vscode.Disposable {
  private readonly open = new Map<string, OpenConsole>();
  private seq = 0;

  add(terminal: vscode.Terminal, pty: RedisConsole): OpenConsole {
    const id = `console-${++this.seq}`;
    const entry = { id, terminal, pty };
    this.open.set(id, entry);
    pty.onDidClose(() => {
      this.open.delete(id);
      terminal.dispose();
    });
    return entry;
  }

  get(id: string): OpenConsole | undefined {
    return this.open.get(id);
  }

  list(): OpenConsole[] {
    return [...this.open.values()];
  }

  dispose(): void {
    for (const c of this.open.values()) {
      c.pty.close();
      c.terminal.dispose();
    }
    this.open.clear();
  }
}

export function openConsoleFor(consoles: RedisConsoles, t: RedisTarget): OpenConsole {
  const pty = new RedisConsole({
    session: t.session,
    connect: (db, purpose) => t.session.resp(purpose ?? 'console', db),
    commands: (onRedirect) => openCommandChannel(t.session, 'console', { onRedirect, followRedirects: true }),
    subscriber: (db) => t.session.dedicated('console-subscribe', db),
  });
  const terminal = vscode.window.createTerminal({ name: `Redis ⟫ ${t.profile.name}`, pty, iconPath: new vscode.ThemeIcon('terminal') });
  terminal.show();
  return consoles.add(terminal, pty);
}

export function redisConsoleCommands(deps: RedisUiDeps, consoles: RedisConsoles): CommandSpec[] {
  return [
    {
      id: 'brokerExplorer.redis.openConsole',
      run: async (call) => {
        const t = await resolveTarget(deps, call, vscode.l10n.t('Open Redis Console'));
        return { id: openConsoleFor(consoles, t).id };
      },
    },
  ];
}
