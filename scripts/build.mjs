// Bundles the extension (and the extension-host test suite) with esbuild.
// `--production` minifies for packaging; `--tests` also bundles test/extension.
import { build } from 'esbuild';
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

if (withTests) {
  await build({
    ...common,
    entryPoints: { index: 'test/extension/index.ts' },
    outdir: 'dist/test',
    external: ['vscode', 'mocha', 'cpu-features', '*.node'],
  });
}
