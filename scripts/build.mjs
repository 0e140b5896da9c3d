// Bundles the extension (and the extension-host test suite) with esbuild.
// `--production` minifies for packaging; `--tests` also bundles test/extension.
// Every webview panel src/webview/<panel>/main.ts becomes dist/webview/<panel>.js (+ <panel>.css when it
// imports CSS) for the browser; a new panel needs only its folder (listed in WEBVIEW_PANELS below).
import { build } from 'esbuild';
import l10nDev from '@vscode/l10n-dev';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const withTests = process.argv.includes('--tests');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // ssh2's optional native speed-ups (its own crypto binding, cpu-features) stay out of the bundle:
  // ssh2 requires them inside try/catch and falls back to its JavaScript code.
  external: ['vscode', 'cpu-features', '*.node'],
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

await build({
  ...common,
  entryPoints: { extension: 'src/extension.ts' },
  outdir: 'dist',
  minify: production,
  metafile: false,
});

// The webview panels (browser bundles) and the files every page links: codicons and the shared base CSS.
const WEBVIEW_PANELS = ['valueEditor', 'dashboard'];
const webviewOut = join(root, 'dist', 'webview');
mkdirSync(webviewOut, { recursive: true });
await build({
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: !production,
  // Always minified: the page parses less before its first rows (the source map keeps it debuggable).
  minify: true,
  logLevel: 'warning',
  absWorkingDir: root,
  tsconfig: 'src/webview/tsconfig.json',
  entryPoints: Object.fromEntries(WEBVIEW_PANELS.map((panel) => [panel, `src/webview/${panel}/main.ts`])),
  outdir: 'dist/webview',
});
const codicons = join(root, 'node_modules', '@vscode', 'codicons', 'dist');
for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(join(codicons, file), join(webviewOut, file));
copyFileSync(join(root, 'src', 'webview', 'webview.css'), join(webviewOut, 'webview.css'));
// The messages the pages localize (their l10n.t calls): the host hands a page only these from the loaded
// bundle, not every message of the extension (the zh-cn bundle is over 200 KiB).
const pageSources = readdirSync(join(root, 'src', 'webview'), { recursive: true })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ extension: '.ts', contents: readFileSync(join(root, 'src', 'webview', f), 'utf8') }));
const pageMessages = Object.keys(await l10nDev.getL10nJson(pageSources));
writeFileSync(join(webviewOut, 'l10n-messages.json'), JSON.stringify(pageMessages));
for (const panel of WEBVIEW_PANELS) {
  const kib = (file) => `${(statSync(join(webviewOut, file)).size / 1024).toFixed(1)} KiB`;
  console.log(`webview ${panel}: ${panel}.js ${kib(`${panel}.js`)}`);
}

if (withTests) {
  await build({
    ...common,
    entryPoints: { index: 'test/extension/index.ts' },
    outdir: 'dist/test',
    external: ['vscode', 'mocha', 'cpu-features', '*.node'],
  });
}
