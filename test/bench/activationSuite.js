// Extension-host "suite" for the benchmark (node scripts/host/run.mjs --suite …):
// activates Broker Explorer and prints the activationMs its activate() measured.
'use strict';
const vscode = require('vscode');

exports.run = async function run() {
  const ext = vscode.extensions.getExtension('broker-explorer.broker-explorer');
  if (!ext) throw new Error('broker-explorer.broker-explorer is not loaded');
  const api = await ext.activate();
  console.log(`BENCH_ACTIVATION_MS=${Number(api.activationMs).toFixed(2)}`);
};
