// `npm run bench`: runs the benchmark (test/bench/main.ts) with tsx against the local
// Redis (127.0.0.1:6379) and RabbitMQ (127.0.0.1:5672, management on 15672, guest/guest).
// Prints a table on stdout, progress on stderr, and writes test/bench/results.json.
// A benchmark never fails on a time: the exit code is non-zero only when it could not run.
//
//   npm run bench                    full run (1,000,000 keys; a few minutes)
//   npm run bench -- --quick         CI smoke run (10,000 keys / smaller sets)
//   npm run bench -- --only 1,2,8    only these rows
//   npm run bench -- --reps 2        twice the repetitions
//   npm run bench -- --db 14         another empty Redis database (default 15)
//   npm run bench -- --vhost NAME    another RabbitMQ vhost (default broker-explorer-bench)
//   npm run bench -- --quick --host  also measure activation in code-server in a quick run
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'bench', 'main.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
