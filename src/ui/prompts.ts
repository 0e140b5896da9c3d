/**
 * The one place commands ask the user: an input box, a quick pick, a modal
 * confirmation, and a passing notice. One contract for both brokers: a
 * dismissed prompt throws `UserCancelled`, which the command registry turns
 * into a silent cancel. The window is reached through a `PromptBackend`
 * so tests inject their answers instead of patching `vscode.window`.
 */
import * as vscode from 'vscode';
import { CancelledError } from '../core/errors';

/** Thrown when the user dismissed a prompt; the registry cancels the command silently. */
export class UserCancelled extends CancelledError {}

/** Thrown when the user pressed Back on a step of a guided flow; outside one it cancels like a dismissal. */
export class GoBack extends UserCancelled {
  constructor() {
    super('back');
  }
}

/** What a backend answers when Back was pressed (a registered symbol: the same in every bundle, tests included). */
export const BACK: unique symbol = Symbol.for('brokerExplorer.prompts.back');

/** A prompt that is one step of a guided flow: shown as "2/6" with a Back button when `back`. */
export interface StepOptions {
  step?: { index: number; total: number; back: boolean };
}

export interface AskOptions extends StepOptions {
  value?: string;
  prompt?: string;
  placeHolder?: string;
  password?: boolean;
  /** A sentence saying what is wrong with the text, or undefined when it is fine. */
  validate?: (value: string) => string | undefined;
}

export interface PickOptions extends StepOptions {
  title: string;
  placeHolder?: string;
  matchOnDescription?: boolean;
  matchOnDetail?: boolean;
}

export interface LivePickOptions<T extends vscode.QuickPickItem> extends PickOptions {
  /** Items for what the user typed (asked of the server when the list is long); called after a short pause. */
  reload?: (value: string) => Promise<readonly T[]>;
  /** Items shown first for what the user typed (a "use this name" entry). */
  typed?: (value: string, listed: readonly T[]) => readonly T[];
}

/** What a prompt does on screen: the window in the product, a script in tests. Undefined means dismissed. */
export interface PromptBackend {
  input(title: string, options: AskOptions): Promise<string | typeof BACK | undefined>;
  pick<T extends vscode.QuickPickItem>(
    items: readonly T[],
    options: LivePickOptions<T>,
    many: boolean,
  ): Promise<readonly T[] | typeof BACK | undefined>;
  /** A modal warning with `buttons`; the button pressed, or undefined. */
  confirm(message: string, detail: string | undefined, buttons: readonly string[]): Promise<string | undefined>;
  /** A notice that needs no answer. */
  info(message: string): void;
  /** An error notification with buttons (not modal): the button pressed, or undefined. A backend without it shows nothing. */
  error?(message: string, buttons: readonly string[]): Promise<string | undefined>;
  /** A file chosen in an open dialog (its path); a backend without it asks for the path in an input box. */
  openFile?(title: string, defaultPath: string | undefined): Promise<string | undefined>;
}

/** The prompts every command uses; `inject` swaps the backend (tests) until the returned Disposable is disposed. */
export class Prompts {
  private backend: PromptBackend;

  constructor(private readonly defaultBackend: PromptBackend = windowBackend) {
    this.backend = defaultBackend;
  }

  inject(backend: PromptBackend): vscode.Disposable {
    this.backend = backend;
    return new vscode.Disposable(() => {
      if (this.backend === backend) this.backend = this.defaultBackend;
    });
  }

  /** Text typed by the user. */
  async ask(title: string, options: AskOptions = {}): Promise<string> {
    return answered(stepped(await this.backend.input(title, options)));
  }

  /** One item of a list; plain strings are offered as labels. */
  async pick<T extends vscode.QuickPickItem | string>(items: readonly T[] | Promise<readonly T[]>, options: PickOptions): Promise<T> {
    const list = await items;
    const shown = list.map((v): vscode.QuickPickItem => (typeof v === 'string' ? { label: v } : v));
    const [picked] = answered(stepped(await this.backend.pick(shown, options, false)));
    return answered(list[shown.indexOf(answered(picked))]);
  }

  /** Any number of items (the `picked` ones checked first); dismissing cancels, accepting none is an empty list. */
  async pickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: PickOptions): Promise<T[]> {
    return [...answered(stepped(await this.backend.pick(items, options, true)))];
  }

  /** A quick pick that can ask the server again as the user types (long lists). */
  async pickLive<T extends vscode.QuickPickItem>(items: readonly T[], options: LivePickOptions<T>): Promise<T> {
    const [picked] = answered(stepped(await this.backend.pick(items, options, false)));
    return answered(picked);
  }

  /** A modal confirmation naming what will change; anything but `button` cancels the command. */
  async confirm(message: string, button: string, detail?: string): Promise<void> {
    if ((await this.backend.confirm(message, detail, [button])) !== button) throw new UserCancelled();
  }

  /** A modal choice between several buttons; dismissing cancels the command. */
  async choose<B extends string>(message: string, buttons: readonly B[], detail?: string): Promise<B> {
    const answer = await this.backend.confirm(message, detail, buttons);
    const found = buttons.find((b) => b === answer);
    return answered(found);
  }

  info(message: string): void {
    this.backend.info(message);
  }

  /** An error notification offering next steps; the button pressed, or undefined when closed. */
  async notifyError<B extends string>(message: string, buttons: readonly B[]): Promise<B | undefined> {
    const answer = await this.backend.error?.(message, buttons);
    return buttons.find((b) => b === answer);
  }

  /** The path of one file the user picks (an open dialog starting at `defaultPath`). */
  async openFile(title: string, defaultPath?: string): Promise<string> {
    if (this.backend.openFile) return answered(await this.backend.openFile(title, defaultPath));
    return this.ask(title, defaultPath !== undefined ? { value: defaultPath } : {});
  }
}

/** A backend's answer with Back turned into GoBack. */
function stepped<T>(value: T | typeof BACK | undefined): T | undefined {
  if (value === BACK) throw new GoBack();
  return value;
}

/** A prompt's answer, or UserCancelled when it was dismissed. */
export function answered<T>(value: T | undefined): T {
  if (value === undefined) throw new UserCancelled();
  return value;
}

export const windowBackend: PromptBackend = {
  input(title, options) {
    return inputBox(title, options);
  },
  pick(items, options, many) {
    return livePick(items, options, many);
  },
  async confirm(message, detail, buttons) {
    return vscode.window.showWarningMessage(message, { modal: true, ...(detail !== undefined ? { detail } : {}) }, ...buttons);
  },
  info(message) {
    void vscode.window.showInformationMessage(message);
  },
  async error(message, buttons) {
    return vscode.window.showErrorMessage(message, ...buttons);
  },
  async openFile(title, defaultPath) {
    const picked = await vscode.window.showOpenDialog({
      title,
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      ...(defaultPath !== undefined ? { defaultUri: vscode.Uri.file(defaultPath) } : {}),
    });
    return picked?.[0]?.fsPath;
  },
};

/** Step number and Back button of a quick input that is one step of a guided flow. */
function applyStep(input: vscode.QuickInput & { buttons: readonly vscode.QuickInputButton[] }, options: StepOptions): void {
  if (!options.step) return;
  input.step = options.step.index;
  input.totalSteps = options.step.total;
  if (options.step.back) input.buttons = [vscode.QuickInputButtons.Back];
}

function inputBox(title: string, options: AskOptions): Promise<string | typeof BACK | undefined> {
  const box = vscode.window.createInputBox();
  box.title = title;
  box.ignoreFocusOut = true;
  box.value = options.value ?? '';
  if (options.prompt !== undefined) box.prompt = options.prompt;
  if (options.placeHolder !== undefined) box.placeholder = options.placeHolder;
  box.password = options.password ?? false;
  applyStep(box, options);
  const check = (v: string): string | undefined => options.validate?.(v);
  box.validationMessage = options.value ? check(options.value) : undefined;
  return new Promise((resolve) => {
    box.onDidChangeValue((v) => (box.validationMessage = check(v)));
    box.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) {
        resolve(BACK);
        box.hide();
      }
    });
    box.onDidAccept(() => {
      const problem = check(box.value);
      box.validationMessage = problem;
      if (problem !== undefined) return;
      resolve(box.value);
      box.hide();
    });
    box.onDidHide(() => {
      resolve(undefined);
      box.dispose();
    });
    box.show();
  });
}

function livePick<T extends vscode.QuickPickItem>(
  first: readonly T[],
  options: LivePickOptions<T>,
  many: boolean,
): Promise<readonly T[] | typeof BACK | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = options.title;
  applyStep(qp, options);
  if (options.placeHolder !== undefined) qp.placeholder = options.placeHolder;
  qp.matchOnDescription = options.matchOnDescription ?? false;
  qp.matchOnDetail = options.matchOnDetail ?? false;
  qp.canSelectMany = many;
  qp.ignoreFocusOut = true;
  let listed = first;
  let timer: NodeJS.Timeout | undefined;
  const show = (value: string): void => {
    qp.items = [...(options.typed?.(value, listed) ?? []), ...listed];
    if (many) qp.selectedItems = qp.items.filter((i) => i.picked === true);
  };
  show('');
  qp.onDidChangeValue((value) => {
    if (options.typed) show(value);
    const reload = options.reload;
    if (!reload) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      qp.busy = true;
      reload(value)
        .then(
          (items) => {
            listed = items;
            show(qp.value);
          },
          () => undefined,
        )
        .finally(() => (qp.busy = false));
    }, 250);
  });
  return new Promise<readonly T[] | typeof BACK | undefined>((resolve) => {
    qp.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) {
        resolve(BACK);
        qp.hide();
      }
    });
    qp.onDidAccept(() => {
      resolve(many ? qp.selectedItems : qp.selectedItems.length > 0 ? qp.selectedItems : undefined);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (timer) clearTimeout(timer);
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
