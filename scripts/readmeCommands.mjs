// Regenerates the command list in README.md (between the commands markers)
// from package.json, so the README never drifts from the manifest.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The manifest's strings are `%key%` references into package.nls.json (English).
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8'));
const pkg = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8').replace(/"%([^%"]+)%"/g, (m, key) => JSON.stringify(nls[key] ?? m)),
);
const hidden = new Set((pkg.contributes.menus.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command));
const groups = new Map();
for (const c of pkg.contributes.commands) {
  const area = c.command.split('.')[1];
  if (!groups.has(area)) groups.set(area, []);
  groups.get(area).push(c);
}
const names = {
  profiles: 'Connections',
  redis: 'Redis',
  rabbitmq: 'RabbitMQ',
  tails: 'Tails (subscriptions, exchange tails, consumers, TCP sessions)',
  tcp: 'Raw TCP',
  retry: 'Trees',
  loadMore: 'Trees',
};
const merged = new Map();
for (const [area, list] of groups) {
  const name = names[area] ?? area;
  merged.set(name, [...(merged.get(name) ?? []), ...list]);
}
let out = '';
for (const [name, list] of merged) {
  out += `\n**${name}**\n\n| command | id |\n|---|---|\n`;
  for (const c of list)
    out += `| ${c.category}: ${c.title}${hidden.has(c.command) ? ' *(menus and API only)*' : ''} | \`${c.command}\` |\n`;
}
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const start = '<!-- commands:start -->';
const end = '<!-- commands:end -->';
const next = readme.replace(new RegExp(`${start}[\\s\\S]*${end}`), `${start}\n${out}\n${end}`);
writeFileSync(join(root, 'README.md'), next);
console.log(`README: ${pkg.contributes.commands.length} commands listed`);
