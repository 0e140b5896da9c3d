// The running UI host (code-server + chromium), set once by scripts/host/ui.mjs before the first test.
let current;

/** Called by scripts/host/ui.mjs only. */
export function setUiSession(session) {
  current = session;
}

/** { cs, page, context, folder, screenshotDir } of the running host. */
export function uiSession() {
  if (!current) throw new Error('The UI host is not running: run the UI tests through scripts/host/ui.mjs.');
  return current;
}
