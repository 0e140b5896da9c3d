// The dashboards' cost (issue 14's closing note): the extension host's CPU % over one minute with the
// Redis dashboard closed, then open (visible, polling INFO every second), then hidden behind another
// editor (polling stopped). Not a test (it asserts nothing and takes ~3.5 minutes): run it alone with
//   node scripts/build.mjs && node scripts/host/ui.mjs --timeout 400 test/ui/dashboardCpu.measure.mjs
// CPU is read from /proc/<pid>/stat (utime + stime) of the extension-host process code-server starts.
import fs from 'node:fs';
import os from 'node:os';
import { closeAllEditors, page, pickQuickPick, runCommand, uiSession, webviewFrame } from './helpers.mjs';

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux
const WINDOW_MS = Number(process.env.BE_CPU_WINDOW_MS || 60_000);

function children(pid) {
  const out = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** The extension host under code-server's process tree: the process whose command line says extensionHost. */
function extensionHostPid(root) {
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift();
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    if (/type=extensionHost/.test(cmd)) return pid;
    queue.push(...children(pid));
  }
  throw new Error(`no extension host under pid ${root}`);
}

function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of stat)
}

async function cpuPercent(pid, ms) {
  const t0 = performance.now();
  const c0 = cpuTicks(pid);
  await page().waitForTimeout(ms);
  const seconds = (performance.now() - t0) / 1000;
  return (100 * (cpuTicks(pid) - c0)) / TICKS_PER_SECOND / seconds;
}

describe('dashboard CPU cost (measurement)', function () {
  it('extension host CPU % over a minute: Redis dashboard closed, open, hidden', async function () {
    this.timeout(WINDOW_MS * 3 + 120_000);
    const pid = extensionHostPid(uiSession().cs.pid);
    await closeAllEditors();
    await page().waitForTimeout(5_000); // activation and the first tree loads settle
    const closed = await cpuPercent(pid, WINDOW_MS);
    await runCommand('Redis: Open Dashboard');
    await pickQuickPick('local').catch(() => undefined);
    await webviewFrame().locator('table.dash-latest').waitFor();
    const open = await cpuPercent(pid, WINDOW_MS);
    await runCommand('File: New Untitled Text File');
    const hidden = await cpuPercent(pid, WINDOW_MS);
    await closeAllEditors();
    const load = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    const row = {
      row: 24,
      what: `extension host CPU over ${WINDOW_MS / 1000} s, Redis dashboard polling INFO every 1 s`,
      closedPercent: Number(closed.toFixed(2)),
      openPercent: Number(open.toFixed(2)),
      hiddenPercent: Number(hidden.toFixed(2)),
      load,
    };
    console.log(`      ${JSON.stringify(row)}`);
  });
});
