/**
 * The `.redis` language in the editor: command-name completion (with the
 * server's COMMAND DOCS summary and syntax when a profile is reachable, the
 * @ioredis/commands list otherwise) and hovers on the command of a line.
 */
import * as vscode from 'vscode';
import { fallbackCatalog, type CommandDoc } from '../../core/redis/commandInfo';
import { commandBlocks } from '../../core/redis/redisFile';
import type { RedisPool } from '../../core/redis/pool';
import type { ProfileStore } from '../profileStore';

export const REDIS_LANGUAGE = 'redis';

/** What the language features need: the profiles, the pool, and the key the command catalog is cached under. */
export interface RedisLanguageDeps {
  profiles: Pick<ProfileStore, 'redisProfiles'>;
  pool: Pick<RedisPool, 'session'>;
}

/** The command docs of the first profile's server, or the built-in list for a minute after the server could not be asked. */
class CommandDocsSource {
  private offlineSince = 0;

  constructor(private readonly deps: RedisLanguageDeps) {}

  async docs(): Promise<CommandDoc[]> {
    const profile = this.deps.profiles.redisProfiles().profiles[0];
    if (profile && Date.now() - this.offlineSince > 60_000) {
      try {
        return await (await this.deps.pool.session(profile.name)).docs();
      } catch {
        this.offlineSince = Date.now();
      }
    }
    return fallbackCatalog()
      .list()
      .map((d) => ({ name: d.name.toUpperCase(), summary: '', syntax: '' }));
  }
}

function firstWordRange(doc: vscode.TextDocument, position: vscode.Position): vscode.Range | undefined {
  const line = doc.lineAt(position.line).text;
  const m = /^(\s*)(\S*)/.exec(line);
  if (!m || line.trimStart().startsWith('#')) return undefined;
  const start = m[1].length;
  const end = start + m[2].length;
  if (position.character < start || position.character > end) return undefined;
  return new vscode.Range(position.line, start, position.line, end);
}

/** Past this many lines a file gets no "Run ▶" lenses (Run as Pipeline still runs it, streamed). */
export const MAX_LENS_LINES = 10_000;

/** A "Run ▶" lens above each block of commands; it runs the block's lines (brokerExplorer.redis.runLines with a Range). */
export const runLenses: vscode.CodeLensProvider = {
  provideCodeLenses(doc) {
    if (doc.lineCount > MAX_LENS_LINES) return [];
    return commandBlocks(doc.getText()).map(
      (b) =>
        new vscode.CodeLens(new vscode.Range(b.start, 0, b.start, 0), {
          title: vscode.l10n.t('Run ▶'),
          tooltip:
            b.end > b.start
              ? vscode.l10n.t('Run lines {0}–{1} as a pipeline', b.start + 1, b.end + 1)
              : vscode.l10n.t('Run line {0}', b.start + 1),
          command: 'brokerExplorer.redis.runLines',
          arguments: [new vscode.Range(b.start, 0, b.end, doc.lineAt(b.end).text.length)],
        }),
    );
  },
};

export function registerRedisLanguage(deps: RedisLanguageDeps): vscode.Disposable[] {
  const selector: vscode.DocumentSelector = { language: REDIS_LANGUAGE };
  const source = new CommandDocsSource(deps);
  return [
    vscode.languages.registerCodeLensProvider(selector, runLenses),
    vscode.languages.registerCompletionItemProvider(selector, {
      async provideCompletionItems(doc, position) {
        const range = firstWordRange(doc, position);
        if (!range) return [];
        const docs = await source.docs();
        const seen = new Set<string>();
        const items: vscode.CompletionItem[] = [];
        for (const d of docs) {
          const top = d.name.split(' ')[0];
          const label = d.name.includes(' ') ? d.name : top;
          if (seen.has(label)) continue;
          seen.add(label);
          const item = new vscode.CompletionItem(
            label,
            d.name.includes(' ') ? vscode.CompletionItemKind.Method : vscode.CompletionItemKind.Function,
          );
          item.range = range;
          item.detail = d.syntax ? `${d.name} ${d.syntax}` : d.name;
          if (d.summary)
            item.documentation = new vscode.MarkdownString(
              `${d.summary}${d.group ? `\n\n${vscode.l10n.t('*group* {0}', d.group)}${d.since ? ` · ${vscode.l10n.t('*since* {0}', d.since)}` : ''}` : ''}`,
            );
          items.push(item);
        }
        return items;
      },
    }),
    vscode.languages.registerHoverProvider(selector, {
      async provideHover(doc, position) {
        const range = firstWordRange(doc, position);
        if (!range) return undefined;
        const word = doc.getText(range).toUpperCase();
        const d = (await source.docs()).find((x) => x.name === word);
        if (!d || !d.summary) return undefined;
        return new vscode.Hover(
          new vscode.MarkdownString().appendCodeblock(`${d.name} ${d.syntax}`, 'redis').appendMarkdown(d.summary),
          range,
        );
      },
    }),
  ];
}
