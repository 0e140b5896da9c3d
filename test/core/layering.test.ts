import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('layering', () => {
  it('src/core never imports vscode', () => {
    const offenders = files(join(root, 'src/core')).filter((f) =>
      /from ['"]vscode['"]|require\(['"]vscode['"]\)/.test(readFileSync(f, 'utf8')),
    );
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('src/core never imports the ui layer or the extension entry', () => {
    const offenders = files(join(root, 'src/core')).filter((f) => /from ['"](\.\.\/)+(ui|extension)\b/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('src/webview (browser code) imports neither vscode, Node, nor the extension side; from core only types and units', () => {
    const offenders = files(join(root, 'src/webview')).filter((f) => {
      const text = readFileSync(f, 'utf8');
      if (/from ['"](vscode|node:[^'"]*|(\.\.\/)+(ui|extension)\b[^'"]*)['"]/.test(text)) return true;
      // A value import from core would bundle server-side code into the page: only `import type`, or the pure units module.
      return [...text.matchAll(/^import (type )?[^;]*?from ['"]((\.\.\/)+core\/[^'"]*)['"]/gm)].some(
        (m) => !m[1] && !/\/core\/units$/.test(m[2]),
      );
    });
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('the units module the pages share imports nothing', () => {
    assert.doesNotMatch(readFileSync(join(root, 'src/core/units.ts'), 'utf8'), /^import /m);
  });

  it('the extension side takes only the protocol files from src/webview (no DOM code)', () => {
    const offenders = [...files(join(root, 'src/core')), ...files(join(root, 'src/ui'))].filter((f) =>
      [...readFileSync(f, 'utf8').matchAll(/from ['"]((\.\.\/)+webview\/[^'"]*)['"]/g)].some((m) => !/\/protocol$/.test(m[1])),
    );
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('src has no explicit any', () => {
    const offenders = files(join(root, 'src')).filter((f) => /:\s*any\b|<any>|as any\b/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('every package src imports is declared in package.json dependencies (none works only through hoisting)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const declared = new Set(['vscode', ...Object.keys(pkg.dependencies ?? {})]);
    const undeclared = new Set<string>();
    for (const f of files(join(root, 'src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(
        /^(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]/gm,
      )) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith('node:') || spec.startsWith('.')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!declared.has(name)) undeclared.add(`${name} (${relative(root, f)})`);
      }
    }
    assert.deepEqual([...undeclared], []);
  });
});
