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
  external: ['vscode'],
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
    external: ['vscode', 'mocha'],
  });
}
