#!/usr/bin/env node
// Renders the Marketplace icon media/icon.png (128×128) from the activity-bar glyph
// media/broker-explorer.svg, drawn light on a dark rounded tile, with the headless chromium
// the host tests use. Run again after changing the svg: node scripts/host/icon.mjs
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, launchBrowser } from './host.mjs';

const svg = fs.readFileSync(path.join(REPO_ROOT, 'media/broker-explorer.svg'), 'utf8');
const out = path.join(REPO_ROOT, 'media/icon.png');
const html = `<!doctype html><html><body style="margin:0;background:transparent">
<div id="tile" style="width:128px;height:128px;border-radius:24px;background:linear-gradient(135deg,#1f3b57,#0e1a27);display:flex;align-items:center;justify-content:center;color:#f5f7fa">
${svg.replace('width="24" height="24"', 'width="96" height="96"')}
</div></body></html>`;
const br = await launchBrowser({ viewport: { width: 128, height: 128 } });
try {
  await br.page.setContent(html);
  await br.page.locator('#tile').screenshot({ path: out, omitBackground: true });
  console.log(`icon: ${out}`);
} finally {
  await br.stop();
}
