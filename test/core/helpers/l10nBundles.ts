/**
 * The translation bundles against the code: every `%key%` of the manifest in package.nls.json and
 * package.nls.zh-cn.json, and every `l10n.t` message of src/ (extension, core and webview pages) in
 * l10n/bundle.l10n.zh-cn.json, with the same `{0}` placeholders. Used by test/core/l10n.test.ts, and
 * from the command line to list what is still missing, as a JSON object to translate:
 *   npx tsx test/core/helpers/l10nBundles.ts [src/ui/commands ...]
 */
import { getL10nJson } from '@vscode/l10n-dev';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(__dirname, '../../..');
export const LANGUAGES = ['zh-cn'];

type Bundle = Record<string, string | { message: string; comment?: string[] }>;

function readJson(path: string): Bundle {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Bundle;
}

function sourceFiles(dir: string): string[] {
  const full = join(ROOT, dir);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [join(ROOT, dir, e.name)] : [],
  );
}

/** The English messages of `l10n.t` calls (vscode.l10n.t and @vscode/l10n's) in the given source folders or files. */
export function sourceMessages(paths: string[] = ['src']): Promise<Map<string, string>> {
  // Extraction parses every file (tree-sitter): once per set of paths and process.
  const key = paths.join('\0');
  let messages = extracted.get(key);
  if (!messages) extracted.set(key, (messages = extract(paths)));
  return messages;
}

const extracted = new Map<string, Promise<Map<string, string>>>();

async function extract(paths: string[]): Promise<Map<string, string>> {
  const files = paths.flatMap(sourceFiles);
  const json = await getL10nJson(files.map((f) => ({ extension: '.ts', contents: readFileSync(f, 'utf8') })));
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) out.set(key, typeof value === 'string' ? value : value.message);
  return out;
}

/** `l10n.t(` calls whose message is not a literal (a template or a variable): extraction cannot see them. */
export function unextractableCalls(paths: string[] = ['src']): string[] {
  const out: string[] = [];
  for (const f of paths.flatMap(sourceFiles)) {
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/\bl10n\.t\(\s*(.?)/g)) {
        const next = m[1] || lines[i + 1]?.trim()[0] || '';
        if (!["'", '"', '{'].includes(next)) out.push(`${relative(ROOT, f)}:${i + 1}`);
      }
    });
  }
  return out;
}

const placeholders = (text: string): string => [...new Set(text.match(/\{\d+\}/g) ?? [])].sort().join(',');

const text = (v: Bundle[string]): string => (typeof v === 'string' ? v : v.message);

/** What the bundle for `language` lacks, has in excess, or translates with other placeholders, for the given sources. */
export async function bundleProblems(
  language: string,
  paths: string[] = ['src'],
): Promise<{ missing: Map<string, string>; stale: string[]; placeholderMismatch: string[] }> {
  const messages = await sourceMessages(paths);
  const bundle = readJson(`l10n/bundle.l10n.${language}.json`);
  const missing = new Map([...messages].filter(([key]) => bundle[key] === undefined));
  const stale = paths.join() === 'src' ? Object.keys(bundle).filter((key) => !messages.has(key)) : [];
  const placeholderMismatch = [...messages]
    .filter(([key, english]) => bundle[key] !== undefined && placeholders(text(bundle[key])) !== placeholders(english))
    .map(([key]) => key);
  return { missing, stale, placeholderMismatch };
}

/** The manifest's `%key%` references against package.nls.json and package.nls.<language>.json. */
export function manifestProblems(language: string): {
  undefinedKeys: string[];
  untranslated: string[];
  unused: string[];
  placeholderMismatch: string[];
} {
  const keys = new Set([...readFileSync(join(ROOT, 'package.json'), 'utf8').matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
  const english = readJson('package.nls.json');
  const translated = readJson(`package.nls.${language}.json`);
  return {
    undefinedKeys: [...keys].filter((k) => english[k] === undefined),
    untranslated: [...keys].filter((k) => translated[k] === undefined),
    unused: [...new Set([...Object.keys(english), ...Object.keys(translated)])].filter((k) => !keys.has(k)),
    placeholderMismatch: [...keys].filter(
      (k) =>
        english[k] !== undefined && translated[k] !== undefined && placeholders(text(english[k])) !== placeholders(text(translated[k])),
    ),
  };
}

// Command line: what is missing for the given sources, as a JSON object of English → "" to fill in.
if (require.main === module) {
  void (async () => {
    const paths = process.argv.slice(2);
    for (const language of LANGUAGES) {
      const { missing, placeholderMismatch } = await bundleProblems(language, paths.length ? paths : ['src']);
      const calls = unextractableCalls(paths.length ? paths : ['src']);
      if (calls.length) console.error(`l10n.t with a non-literal message (extraction cannot see it):\n  ${calls.join('\n  ')}`);
      if (placeholderMismatch.length)
        console.error(`${language}: placeholders differ from the English:\n  ${placeholderMismatch.join('\n  ')}`);
      console.error(`${language}: ${missing.size} messages missing`);
      console.log(JSON.stringify(Object.fromEntries([...missing.keys()].map((k) => [k, ''])), null, 2));
    }
  })();
}
