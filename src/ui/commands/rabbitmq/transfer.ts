/**
 * "Export Messages…" (a queue to a JSON lines file, peek or drain) and
 * "Import Messages…" (a JSON lines file published with confirms), with
 * progress and Cancel; the work is core/amqp/messageExport.ts and
 * messageImport.ts.
 */
import * as vscode from 'vscode';
import { exportMessages, MAX_EXPORT_COUNT, type ExportArgs, type ExportResult } from '../../../core/amqp/messageExport';
import { importMessages, type ImportArgs, type ImportResult } from '../../../core/amqp/messageImport';
import { InputError } from '../../../core/errors';
import { answered } from '../../prompts';
import { num, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { exchangeArg, queueArg, target, validateWholeNumber, where, type RabbitDeps } from './common';

/** Runs `work` under a notification progress with Cancel (interactive), or plainly. */
async function withProgress<T>(
  call: CommandCall,
  title: string,
  work: (signal: AbortSignal | undefined, report: (message: string) => void) => Promise<T>,
): Promise<T> {
  if (!call.interactive) return work(undefined, () => undefined);
  return await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let last = 0;
      return work(controller.signal, (message) => {
        if (Date.now() - last < 200) return;
        last = Date.now();
        progress.report({ message });
      });
    },
  );
}

async function doExport(deps: RabbitDeps, call: CommandCall): Promise<ExportResult> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'queue', { title: `Export which queue of ${where(t)}?` });
  let args: ExportArgs;
  let maxUnacked: number | undefined;
  if (call.args) {
    const mode = str(call.args, 'mode', true);
    if (mode !== 'peek' && mode !== 'drain') throw new InputError(`The export mode "${mode}" is not known: use "peek" or "drain".`);
    args = { queue: q.name, path: str(call.args, 'path', true), mode };
    const count = num(call.args, 'count', { min: 1, max: MAX_EXPORT_COUNT });
    if (count !== undefined) args.count = count;
    maxUnacked = num(call.args, 'maxUnacked', { min: 1, max: 65_535 });
  } else {
    const mode = (
      await call.prompts.pick(
        [
          { label: 'Peek', detail: 'every message goes back: the queue keeps them, in order', value: 'peek' as const },
          { label: 'Drain', detail: 'each message is removed once its line is written and synced to disk', value: 'drain' as const },
        ],
        { title: `Export queue "${q.name}" of ${where(t)}` },
      )
    ).value;
    if (mode === 'drain') t.session.assertWritable(`draining queue "${q.name}" into a file`);
    const count = await call.prompts.ask('How many messages? Leave empty for all.', {
      value: '',
      validate: validateWholeNumber(1, MAX_EXPORT_COUNT, true),
    });
    const uri = answered(
      await vscode.window.showSaveDialog({ title: `Export queue "${q.name}"`, defaultUri: vscode.Uri.file(`${q.name}.jsonl`) }),
    );
    if (mode === 'drain') await call.prompts.confirm(`Drain queue "${q.name}" of ${where(t)} into ${uri.fsPath}?`, 'Drain');
    args = { queue: q.name, path: uri.fsPath, mode, ...(count.trim() !== '' ? { count: Number(count) } : {}) };
  }
  const result = await withProgress(call, `Exporting queue "${q.name}"…`, (signal, report) =>
    exportMessages(t.session, args, {
      ...(signal ? { signal } : {}),
      ...(maxUnacked !== undefined ? { maxUnacked } : {}),
      onProgress: (n, total) => report(`${n.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`),
    }),
  );
  if (call.interactive) {
    const untyped = result.typedHeaders ? '' : ' Header number types could not be read from the wire: numbers are written untyped.';
    const turned = result.rotated
      ? ` The queue was too deep to hold at once, so each message went back behind the rest (same order; TTLs restarted).${result.stoppedBecause ? ` ${result.stoppedBecause}.` : ''}`
      : '';
    void vscode.window
      .showInformationMessage(
        `Exported ${result.exported.toLocaleString('en-US')} message(s) of queue "${q.name}" (${args.mode}) to ${result.path}.${untyped}${turned}`,
        'Open File',
      )
      .then((choice) => choice && vscode.window.showTextDocument(vscode.Uri.file(result.path)));
    if (args.mode === 'drain') deps.tree.refreshFolder(t.profile.name, t.vhost, 'queues');
  }
  return result;
}

async function doImport(deps: RabbitDeps, call: CommandCall): Promise<ImportResult> {
  const t = await target(deps, call);
  let args: ImportArgs;
  if (call.args) {
    args = { path: str(call.args, 'path', true) };
    const exchange = str(call.args, 'exchange');
    const routingKey = str(call.args, 'routingKey');
    if (exchange !== undefined) args.exchange = exchange;
    if (routingKey !== undefined) args.routingKey = routingKey;
  } else {
    t.session.assertWritable('importing messages from a file');
    const [uri] = answered(
      await vscode.window.showOpenDialog({ title: `Import messages into ${where(t)}`, canSelectMany: false, openLabel: 'Import' }),
    );
    if (!uri) throw new InputError('No file was chosen.');
    args = { path: uri.fsPath };
    const how = await call.prompts.pick(
      [
        { label: "Each line's own exchange and routing key", value: 'own' as const },
        { label: 'One exchange and routing key for all…', value: 'one' as const },
      ],
      { title: `Import ${uri.fsPath}` },
    );
    if (how.value === 'one') {
      args.exchange = (
        await exchangeArg(t, call, 'exchange', { title: 'Publish to which exchange?', allowDefault: true, allowTyped: true })
      ).name;
      args.routingKey = await call.prompts.ask('Routing key', { value: '' });
    }
  }
  const result = await withProgress(call, 'Importing messages…', (signal, report) =>
    importMessages(t.session, args, { ...(signal ? { signal } : {}), onProgress: (n) => report(`${n.toLocaleString('en-US')} published`) }),
  );
  if (call.interactive) {
    const unrouted = result.published - result.routed;
    const text = `Imported ${result.published.toLocaleString('en-US')} message(s) into ${where(t)}: ${result.routed.toLocaleString('en-US')} routed${unrouted > 0 ? `, ${unrouted.toLocaleString('en-US')} returned unroutable (no queue took them)` : ''}.`;
    if (unrouted > 0) void vscode.window.showWarningMessage(text);
    else void vscode.window.showInformationMessage(text);
    deps.tree.refreshFolder(t.profile.name, t.vhost, 'queues');
  }
  return result;
}

export function rabbitTransferCommands(deps: RabbitDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.rabbitmq.exportMessages', run: (call) => doExport(deps, call) },
    { id: 'brokerExplorer.rabbitmq.importMessages', run: (call) => doImport(deps, call) },
  ];
}
