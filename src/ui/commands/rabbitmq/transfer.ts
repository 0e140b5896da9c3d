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
import { formatCount } from '../../../core/units';
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
  const q = await queueArg(t, call, 'queue', { title: vscode.l10n.t('Export which queue of {0}?', where(t)) });
  let args: ExportArgs;
  let maxUnacked: number | undefined;
  if (call.args) {
    const mode = str(call.args, 'mode', true);
    if (mode !== 'peek' && mode !== 'drain')
      throw new InputError(vscode.l10n.t('The export mode "{0}" is not known: use "peek" or "drain".', mode));
    args = { queue: q.name, path: str(call.args, 'path', true), mode };
    const count = num(call.args, 'count', { min: 1, max: MAX_EXPORT_COUNT });
    if (count !== undefined) args.count = count;
    maxUnacked = num(call.args, 'maxUnacked', { min: 1, max: 65_535 });
  } else {
    const mode = (
      await call.prompts.pick(
        [
          {
            label: vscode.l10n.t('Peek'),
            detail: vscode.l10n.t('every message goes back: the queue keeps them, in order'),
            value: 'peek' as const,
          },
          {
            label: vscode.l10n.t('Drain'),
            detail: vscode.l10n.t('each message is removed once its line is written and synced to disk'),
            value: 'drain' as const,
          },
        ],
        { title: vscode.l10n.t('Export queue "{0}" of {1}', q.name, where(t)) },
      )
    ).value;
    if (mode === 'drain') t.session.assertWritable(vscode.l10n.t('draining queue "{0}" into a file', q.name));
    const count = await call.prompts.ask(vscode.l10n.t('How many messages? Leave empty for all.'), {
      value: '',
      validate: validateWholeNumber(1, MAX_EXPORT_COUNT, true),
    });
    const uri = answered(
      await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Export queue "{0}"', q.name),
        defaultUri: vscode.Uri.file(`${q.name}.jsonl`),
      }),
    );
    if (mode === 'drain')
      await call.prompts.confirm(vscode.l10n.t('Drain queue "{0}" of {1} into {2}?', q.name, where(t), uri.fsPath), vscode.l10n.t('Drain'));
    args = { queue: q.name, path: uri.fsPath, mode, ...(count.trim() !== '' ? { count: Number(count) } : {}) };
  }
  const result = await withProgress(call, vscode.l10n.t('Exporting queue "{0}"…', q.name), (signal, report) =>
    exportMessages(t.session, args, {
      ...(signal ? { signal } : {}),
      ...(maxUnacked !== undefined ? { maxUnacked } : {}),
      onProgress: (n, total) => report(vscode.l10n.t('{0} of {1}', formatCount(n), formatCount(total))),
    }),
  );
  if (call.interactive) {
    const untyped = result.typedHeaders
      ? ''
      : ` ${vscode.l10n.t('Header number types could not be read from the wire: numbers are written untyped.')}`;
    const turned = result.rotated
      ? ` ${vscode.l10n.t('The queue was too deep to hold at once, so each message went back behind the rest (same order; TTLs restarted).')}${result.stoppedBecause ? ` ${result.stoppedBecause}.` : ''}`
      : '';
    const openFile = vscode.l10n.t('Open File');
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t(
          'Exported {0} message(s) of queue "{1}" ({2}) to {3}.{4}{5}',
          formatCount(result.exported),
          q.name,
          args.mode,
          result.path,
          untyped,
          turned,
        ),
        openFile,
      )
      .then((choice) => {
        if (choice === openFile) void vscode.window.showTextDocument(vscode.Uri.file(result.path));
      });
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
    t.session.assertWritable(vscode.l10n.t('importing messages from a file'));
    const [uri] = answered(
      await vscode.window.showOpenDialog({
        title: vscode.l10n.t('Import messages into {0}', where(t)),
        canSelectMany: false,
        openLabel: vscode.l10n.t('Import'),
      }),
    );
    if (!uri) throw new InputError(vscode.l10n.t('No file was chosen.'));
    args = { path: uri.fsPath };
    const how = await call.prompts.pick(
      [
        { label: vscode.l10n.t("Each line's own exchange and routing key"), value: 'own' as const },
        { label: vscode.l10n.t('One exchange and routing key for all…'), value: 'one' as const },
      ],
      { title: vscode.l10n.t('Import {0}', uri.fsPath) },
    );
    if (how.value === 'one') {
      args.exchange = (
        await exchangeArg(t, call, 'exchange', { title: vscode.l10n.t('Publish to which exchange?'), allowDefault: true, allowTyped: true })
      ).name;
      args.routingKey = await call.prompts.ask(vscode.l10n.t('Routing key'), { value: '' });
    }
  }
  const result = await withProgress(call, vscode.l10n.t('Importing messages…'), (signal, report) =>
    importMessages(t.session, args, {
      ...(signal ? { signal } : {}),
      onProgress: (n) => report(vscode.l10n.t('{0} published', formatCount(n))),
    }),
  );
  if (call.interactive) {
    const unrouted = result.published - result.routed;
    const text =
      unrouted > 0
        ? vscode.l10n.t(
            'Imported {0} message(s) into {1}: {2} routed, {3} returned unroutable (no queue took them).',
            formatCount(result.published),
            where(t),
            formatCount(result.routed),
            formatCount(unrouted),
          )
        : vscode.l10n.t(
            'Imported {0} message(s) into {1}: {2} routed.',
            formatCount(result.published),
            where(t),
            formatCount(result.routed),
          );
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
