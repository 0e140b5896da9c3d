/**
 * Typed-in commands: runCommand (one command, redis-cli quoting or argv),
 * runPipeline (a list, optionally as MULTI/EXEC), and running a `.redis`
 * file or selection as a pipeline or a transaction, with results per line.
 * Each runs on a dedicated connection so replies are exact and nothing it
 * does (SELECT, MULTI) touches a shared one; a read-only profile refuses
 * writes in core before anything is sent.
 */
import { createReadStream } from 'node:fs';
import * as vscode from 'vscode';
import { isHexBytes, toBuffer } from '../../../core/bytes';
import { InputError, errorMessage } from '../../../core/errors';
import { formatCount } from '../../../core/units';
import {
  runCommand as coreRunCommand,
  runCommandOnAll,
  runPipeline as coreRunPipeline,
  runScript,
  type LineResult,
  type ScriptResult,
} from '../../../core/redis/commandRunner';
import { parseRedisStream, parseRedisText } from '../../../core/redis/redisFile';
import { formatReply } from '../../../core/redis/replyFormat';
import { replyToJson, replyToResult } from '../../../core/redis/replyJson';
import { splitArgs } from '../../../core/redis/tokenizer';
import { askNodeIfKeyless, openLoggedChannel } from '../../redis/commandChannels';
import type { RedisFileTargets } from '../../redis/fileTargets';
import { bool, list, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { abortOn, refreshDatabases, resolveTarget, type RedisTarget, type RedisUiDeps } from './redisTarget';

function argvFrom(value: unknown, what: string): Buffer[] {
  if (typeof value === 'string') return splitArgs(value);
  if (!Array.isArray(value))
    throw new InputError(vscode.l10n.t('The {0} must be a list of arguments (text or { "hex": "…" }) or a command line.', what));
  return value.map((a: unknown, i) => {
    if (typeof a !== 'string' && !isHexBytes(a))
      throw new InputError(vscode.l10n.t('Argument {0} of the {1} must be text or { "hex": "…" }.', i + 1, what));
    return toBuffer(a, `argument ${i + 1}`);
  });
}

/** The argv of a runCommand call: "line" or "argv" from arguments, else typed in the palette. */
async function commandArgv(call: CommandCall, t: RedisTarget): Promise<Buffer[]> {
  if (call.args) {
    const line = str(call.args, 'line');
    return line !== undefined ? splitArgs(line) : argvFrom(call.args.argv, 'argv');
  }
  const line = await call.prompts.ask(vscode.l10n.t('Run a command on db{0} of "{1}"', t.db, t.profile.name), {
    prompt: vscode.l10n.t('One command, quoted like redis-cli ("a b", \\xHH escapes).'),
    validate: (v) => {
      try {
        return splitArgs(v).length === 0 ? vscode.l10n.t('Type a command.') : undefined;
      } catch (err) {
        return errorMessage(err);
      }
    },
  });
  return splitArgs(line);
}

async function runCommand(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveTarget(deps, call, vscode.l10n.t('Run Command'));
  const argv = await commandArgv(call, t);
  if (argv.length === 0) throw new InputError(vscode.l10n.t('The command is empty: give "argv" or "line".'));
  const name = argv[0].toString('utf8');
  const client = await openLoggedChannel(t.session, 'command', deps.log);
  try {
    const node = call.args ? str(call.args, 'node') : await askNodeIfKeyless(client, argv, call.prompts);
    const target = { session: t.session, client };
    const reply =
      node === 'all' ? await runCommandOnAll(target, argv) : await coreRunCommand(target, argv, node !== undefined ? { node } : {});
    const catalog = await t.session.catalog();
    if (catalog.classify(argv).write) refreshDatabases(deps.tree, t.profile.name, [t.db]);
    if (!call.args) {
      const text = reply instanceof Map ? [...reply].map(([n, r]) => `${n}\n${formatReply(r)}`).join('\n\n') : formatReply(reply);
      if (!text.includes('\n') && text.length <= 200) void vscode.window.showInformationMessage(`${name.toUpperCase()}: ${text}`);
      else await deps.results.show(vscode.l10n.t('{0} result', name.toUpperCase()), text);
      return undefined;
    }
    if (reply instanceof Map) return Object.fromEntries([...reply].map(([n, r]) => [n, replyToResult(r, name, t.profile.name)]));
    return replyToResult(reply, name, t.profile.name);
  } finally {
    client.close();
  }
}

async function runPipeline(deps: RedisUiDeps, files: RedisFileTargets, call: CommandCall): Promise<unknown> {
  if (!call.args) return runEditor(deps, files, call, false);
  const t = await resolveTarget(deps, call, vscode.l10n.t('Run Pipeline'));
  const commands = (list(call.args, 'commands') ?? []).map((c, i) => argvFrom(c, vscode.l10n.t('command {0}', i + 1)));
  if (commands.length === 0) throw new InputError(vscode.l10n.t('The pipeline is empty: give "commands", a list of argument lists.'));
  const transaction = bool(call.args, 'transaction') ?? false;
  const node = str(call.args, 'node');
  const client = await openLoggedChannel(t.session, 'pipeline', deps.log);
  try {
    const result = await coreRunPipeline({ session: t.session, client }, commands, {
      transaction,
      ...(node !== undefined ? { node } : {}),
    });
    if (result.aborted) throw new InputError(result.aborted);
    refreshDatabases(deps.tree, t.profile.name, [t.db]);
    return result.replies.map(replyToJson);
  } finally {
    client.close();
  }
}

/** A line's result as text: `12  SET → OK`, nested replies indented under it. */
export function describeLine(r: LineResult): string {
  const text = formatReply(r.reply);
  const head = `${String(r.line).padStart(6)}  ${r.command || vscode.l10n.t('(none)')} → `;
  return head + text.split('\n').join(`\n${' '.repeat(head.length)}`);
}

/** Results returned to an API caller (all lines still run and show in the results document). */
const MAX_RETURNED = 10_000;

/** The lines a pipeline or transaction runs: parsed already, or a file streamed as it runs. */
type ScriptSource = { entries: ReturnType<typeof parseRedisText> } | { path: string };

/** A pipeline's or a transaction's words, for titles and the results document. */
interface ScriptKind {
  /** The prompts' title: "Run as Pipeline". */
  runAs: string;
  /** `{0}` the profile, `{1}` the db, `{2}` the file: "Pipeline on local[0] · a.redis". */
  title(profile: string, db: number, label: string): string;
  /** The results document's name. */
  results(label: string): string;
  /** The progress notification's title. */
  progress: string;
  /** The connection's purpose (log and client name): not shown as a sentence. */
  purpose: string;
}

function scriptKind(transaction: boolean): ScriptKind {
  return transaction
    ? {
        runAs: vscode.l10n.t('Run as Transaction'),
        title: (p, db, label) => vscode.l10n.t('Transaction on {0}[{1}] · {2}', p, db, label),
        results: (label) => vscode.l10n.t('Transaction results {0}', label),
        progress: vscode.l10n.t('Redis Transaction'),
        purpose: 'transaction',
      }
    : {
        runAs: vscode.l10n.t('Run as Pipeline'),
        title: (p, db, label) => vscode.l10n.t('Pipeline on {0}[{1}] · {2}', p, db, label),
        results: (label) => vscode.l10n.t('Pipeline results {0}', label),
        progress: vscode.l10n.t('Redis Pipeline'),
        purpose: 'pipeline',
      };
}

/** What runEditor runs, where, and the name its results document carries. */
interface ScriptRun {
  t: RedisTarget;
  source: ScriptSource;
  label: string;
}

/** The script an API caller gives: "text" (lines of commands) or "path" (a .redis file). */
async function scriptFromArgs(deps: RedisUiDeps, call: CommandCall, args: Record<string, unknown>, kind: ScriptKind): Promise<ScriptRun> {
  const t = await resolveTarget(deps, call, kind.runAs);
  const text = str(args, 'text');
  const path = str(args, 'path');
  if (text === undefined && path === undefined)
    throw new InputError(vscode.l10n.t('Give "text" (lines of commands) or "path" (a .redis file).'));
  const source = text !== undefined ? { entries: parseRedisText(text) } : { path: path as string };
  return { t, source, label: path ?? 'text' };
}

/**
 * The active editor's script: its selection (whole lines), else the saved
 * file streamed from disk, else the unsaved text; on the target remembered
 * for the document (or one the user picks, remembered from then on).
 */
async function scriptFromActiveEditor(
  deps: RedisUiDeps,
  files: RedisFileTargets,
  call: CommandCall,
  kind: ScriptKind,
  only?: 'lines',
): Promise<ScriptRun> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new InputError(vscode.l10n.t('Open a .redis file first: each line is one command.'));
  const doc = editor.document;
  const known = files.get(doc);
  // The remembered session may have been closed since (settings changed): ask the pool again.
  const t = known
    ? { ...known, session: await deps.pool.session(known.profile.name, known.db) }
    : await resolveTarget(deps, call, kind.runAs);
  files.set(doc, t);
  const sel =
    call.range ?? (only === 'lines' && editor.selection.isEmpty ? doc.lineAt(editor.selection.active.line).range : editor.selection);
  let source: ScriptSource;
  if (!sel.isEmpty) {
    const range = new vscode.Range(
      sel.start.line,
      0,
      sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line,
      Number.MAX_SAFE_INTEGER,
    );
    source = { entries: parseRedisText(doc.getText(doc.validateRange(range)), sel.start.line + 1) };
  } else if (doc.uri.scheme === 'file' && !doc.isDirty) {
    source = { path: doc.uri.fsPath };
  } else {
    source = { entries: parseRedisText(doc.getText()) };
  }
  return { t, source, label: vscode.workspace.asRelativePath(doc.uri) };
}

async function runEditor(
  deps: RedisUiDeps,
  files: RedisFileTargets,
  call: CommandCall,
  transaction: boolean,
  only?: 'lines',
): Promise<unknown> {
  const kind = scriptKind(transaction);
  const { t, source, label } = call.args
    ? await scriptFromArgs(deps, call, call.args, kind)
    : await scriptFromActiveEditor(deps, files, call, kind, only);
  const title = kind.title(t.profile.name, t.db, label);
  const out = deps.results.create(kind.results(label));
  out.setHeader(`# ${title}`, `# ${vscode.l10n.t('running…')}`);
  if (!call.args) await deps.results.open(out.uri);
  const client = await openLoggedChannel(t.session, kind.purpose, deps.log);
  const collected: LineResult[] = [];
  let result: ScriptResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: kind.progress, cancellable: true },
      async (progress, token) => {
        const input = 'entries' in source ? source.entries : parseRedisStream(createReadStream(source.path));
        const node = call.args ? str(call.args, 'node') : undefined;
        return runScript({ session: t.session, client }, input, {
          transaction,
          ...(node !== undefined ? { node } : {}),
          signal: abortOn(token),
          collect: false,
          onResults: (batch) => {
            out.append(...batch.map(describeLine));
            if (call.args) for (const r of batch) if (collected.length < MAX_RETURNED) collected.push(r);
          },
          onProgress: (p) =>
            progress.report({ message: vscode.l10n.t('{0} lines · {1} errors', formatCount(p.lines), formatCount(p.errors)) }),
        });
      },
    );
  } catch (err) {
    out.setHeader(`# ${title}`, `# ${errorMessage(err)}`);
    out.flush();
    throw err;
  } finally {
    client.close();
  }
  const status = result.aborted
    ? result.aborted
    : result.complete
      ? vscode.l10n.t('done')
      : vscode.l10n.t('cancelled: the lines below ran, the rest did not');
  out.setHeader(
    `# ${title}`,
    `# ${vscode.l10n.t('{0} lines, {1} errors', formatCount(result.lines), formatCount(result.errors))}`,
    `# ${status}`,
  );
  out.flush();
  refreshDatabases(deps.tree, t.profile.name, [t.db]);
  if (!call.args) {
    if (result.aborted) void vscode.window.showErrorMessage(result.aborted);
    return undefined;
  }
  const summary: Record<string, unknown> = {
    lines: result.lines,
    errors: result.errors,
    complete: result.complete,
    uri: out.uri.toString(),
    results: collected.map((r) => ({ line: r.line, command: r.command, reply: replyToJson(r.reply) })),
  };
  if (result.aborted) summary.aborted = result.aborted;
  return summary;
}

/** Lets the user pick another profile for the active .redis document next time. */
async function chooseTarget(deps: RedisUiDeps, files: RedisFileTargets, call: CommandCall): Promise<unknown> {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc) throw new InputError(vscode.l10n.t('Open a .redis file first.'));
  const t = await resolveTarget(deps, call, vscode.l10n.t('Run .redis file'));
  files.set(doc, t);
  return { profile: t.profile.name, db: t.db };
}

/** The run commands; `files` remembers each `.redis` document's target and shows it in the status bar. */
export function redisRunCommands(deps: RedisUiDeps, files: RedisFileTargets): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.runCommand', run: (call) => runCommand(deps, call) },
    { id: 'brokerExplorer.redis.runPipeline', run: (call) => runPipeline(deps, files, call) },
    { id: 'brokerExplorer.redis.runFileAsPipeline', run: (call) => runEditor(deps, files, call, false) },
    { id: 'brokerExplorer.redis.runFileAsTransaction', run: (call) => runEditor(deps, files, call, true) },
    // Ctrl/Cmd+Enter and the "Run ▶" lens: the selection, the lens's block, or the current line.
    { id: 'brokerExplorer.redis.runLines', run: (call) => runEditor(deps, files, call, false, 'lines') },
    { id: 'brokerExplorer.redis.chooseFileTarget', run: (call) => chooseTarget(deps, files, call) },
  ];
}
