/**
 * Row 10: the production bundle, the VSIX and activation time in a real
 * extension host. Built in a temporary copy of the project (sources,
 * manifest, media, scripts/build.mjs; node_modules linked) so the working
 * tree's dist/ is never touched. Activation needs code-server
 * (node scripts/host/install.mjs); without it that part is skipped.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { log, mb, median, ms, round, run, summary, type BenchConfig, type Row } from './util';

const KB = 1024;

function kb(bytes: number): string {
  return bytes >= 1024 * 1024 ? mb(bytes) : `${(bytes / KB).toFixed(0)} KB`;
}

export async function runHostRow(cfg: BenchConfig): Promise<Row> {
  const root = cfg.root;
  const dir = mkdtempSync(join(tmpdir(), 'be-bench-pkg-'));
  try {
    for (const f of ['package.json', '.vscodeignore', 'LICENSE', 'README.md', 'CHANGELOG.md', 'tsconfig.json']) {
      if (existsSync(join(root, f))) cpSync(join(root, f), join(dir, f));
    }
    for (const d of ['src', 'media']) cpSync(join(root, d), join(dir, d), { recursive: true });
    mkdirSync(join(dir, 'scripts'));
    cpSync(join(root, 'scripts', 'build.mjs'), join(dir, 'scripts', 'build.mjs'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');

    log('row 10: node scripts/build.mjs --production (in a temporary copy)');
    const build = await run(process.execPath, ['scripts/build.mjs', '--production'], { cwd: dir, timeoutMs: 120_000 });
    if (build.code !== 0) throw new Error(`the production build failed: ${build.stderr || build.stdout}`);
    const bundle = join(dir, 'dist', 'extension.js');
    const bundleBytes = statSync(bundle).size;
    const gzipBytes = gzipSync(readFileSync(bundle)).length;

    log('row 10: vsce package --no-dependencies');
    const vsix = join(dir, 'broker-explorer.vsix');
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { repository?: unknown };
    // Without a "repository", vsce refuses a README with relative images unless given base URLs: placeholders do for a size measurement (the VSIX is thrown away).
    const baseUrls =
      manifest.repository === undefined
        ? ['--baseContentUrl', 'https://example.invalid/', '--baseImagesUrl', 'https://example.invalid/']
        : [];
    const vsceArgs = ['package', '--no-dependencies', '--allow-missing-repository', ...baseUrls, '-o', vsix];
    const vsce = await run(join(root, 'node_modules', '.bin', 'vsce'), vsceArgs, { cwd: dir, timeoutMs: 120_000 });
    const vsixBytes = vsce.code === 0 && existsSync(vsix) ? statSync(vsix).size : Number.NaN;
    const vsceNote = vsce.code === 0 ? '' : `vsce failed: ${(vsce.stderr || vsce.stdout).trim().split('\n').slice(-3).join(' ')}`;
    const vsceWarnings = (vsce.stdout + vsce.stderr)
      .split('\n')
      .filter((l) => /WARNING/i.test(l))
      .map((l) => l.trim());

    const codeServer = join(root, 'test', 'host', 'node_modules', '.bin', 'code-server');
    const activations: number[] = [];
    let activationNote = '';
    if (!existsSync(codeServer)) {
      activationNote = 'activation skipped: code-server is not installed (node scripts/host/install.mjs installs it)';
    } else if (cfg.quick && !cfg.host) {
      activationNote = 'activation skipped in --quick (add --host to measure it)';
    } else {
      const reps = Math.max(1, Math.round(3 * cfg.reps));
      for (let i = 0; i < reps; i++) {
        log(`row 10: activation in code-server, run ${i + 1} of ${reps}`);
        const r = await run(
          process.execPath,
          [
            join(root, 'scripts', 'host', 'run.mjs'),
            '--extension',
            dir,
            '--suite',
            join(root, 'test', 'bench', 'activationSuite.js'),
            '--timeout',
            '240',
          ],
          { cwd: root, timeoutMs: 300_000 },
        );
        const m = /BENCH_ACTIVATION_MS=([\d.]+)/.exec(r.stdout);
        if (m) activations.push(Number(m[1]));
        else log(`activation run ${i + 1} printed no figure (exit ${r.code}): ${r.stdout.split('\n').slice(-5).join(' | ')}`);
      }
      if (activations.length === 0) activationNote = 'activation: no run printed a figure';
    }
    const act = activations.length > 0 ? median(activations) : Number.NaN;
    const vsixLimit = 1.5 * 1024 * 1024;
    const actMet = activations.length > 0 ? act <= 50 : null;
    const vsixMet = Number.isFinite(vsixBytes) ? vsixBytes <= vsixLimit : null;
    const met = actMet === false || vsixMet === false ? false : actMet === null && vsixMet === null ? null : actMet === null ? null : true;
    return {
      id: '10',
      figure: 'activation in the real host; bundle; VSIX',
      ours: `activation ${activations.length > 0 ? `${ms(act)} (median of ${activations.length})` : 'skipped'}; bundle ${kb(bundleBytes)} (${kb(gzipBytes)} gzip); VSIX ${Number.isFinite(vsixBytes) ? kb(vsixBytes) : 'n/a'}`,
      baseline: '—',
      target: 'activation ≤ 50 ms; VSIX ≤ 1.5 MB',
      met,
      note: [
        activationNote,
        `activation = activate()'s own activationMs in code-server's extension host${activations.length ? ` (runs: ${activations.map((a) => a.toFixed(1)).join(', ')} ms)` : ''}`,
        `production build ${ms(build.ms)}; VSIX by vsce ${vsceArgs.slice(0, -2).join(' ')}${baseUrls.length ? ' (package.json has no "repository": placeholder base URLs for the README image)' : ''}`,
        vsixMet === true && actMet === null ? 'VSIX target met' : '',
        vsceNote,
        vsceWarnings.length ? `vsce: ${vsceWarnings.join(' ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      data: {
        activationMs: activations.length ? summary(activations) : null,
        bundleBytes,
        bundleGzipBytes: gzipBytes,
        vsixBytes: Number.isFinite(vsixBytes) ? vsixBytes : null,
        buildMs: round(build.ms, 1),
        activationMet: actMet,
        vsixMet,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
