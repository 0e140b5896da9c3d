// Bench rows 20–21 in the real workbench (run by test/bench/valueEditorRows.ts through scripts/host/ui.mjs):
// opens the value editor of BE_BENCH_KEY (db BE_BENCH_DB) BE_BENCH_REPS times and reads what the page
// recorded: ms from the command to the first rows on screen (data-first-rows-ms), when each step of
// the way happened (data-phases: ms since the command, host and page steps), and the round trip
// of page fetches at far ranks (data-last-page-ms: page → host → Redis → page). Writes JSON to BE_BENCH_OUT.
import fs from 'node:fs';
import { answerInput, closeAllEditors, page, runCommand, webviewFrame } from '../helpers.mjs';

const db = process.env.BE_BENCH_DB ?? '12';
const key = process.env.BE_BENCH_KEY ?? '';
const reps = Number(process.env.BE_BENCH_REPS ?? '5');

describe('bench: value editor in the real host', function () {
  it('measures time to first rows and page round trips', async function () {
    this.timeout(600_000);
    const firstRows = [];
    const pages = [];
    const phases = [];
    for (let i = 0; i < reps; i++) {
      await runCommand('Redis: Open in Value Editor');
      await answerInput(db, 'database of "local"');
      await answerInput(key, `key in db${db}`);
      const frame = webviewFrame();
      const app = frame.locator('#app[data-first-rows-ms]');
      await app.waitFor({ state: 'attached' });
      firstRows.push(Number(await app.getAttribute('data-first-rows-ms')));
      phases.push(JSON.parse((await app.getAttribute('data-phases')) ?? '{}'));
      // jump to far ranks: each is one page fetch of 500 rows
      for (const rank of [250_000, 500_000, 750_000, 999_000]) {
        const before = await app.getAttribute('data-fetches');
        await frame.locator('vscode-textfield[name="jump"] input').fill(String(rank));
        await frame.locator('vscode-textfield[name="jump"] input').press('Enter');
        for (let t = 0; t < 200 && (await app.getAttribute('data-fetches')) === before; t++) await page().waitForTimeout(20);
        pages.push(Number(await app.getAttribute('data-last-page-ms')));
      }
      await closeAllEditors();
    }
    fs.writeFileSync(process.env.BE_BENCH_OUT ?? '/dev/stdout', JSON.stringify({ firstRows, pages, phases }));
  });
});
