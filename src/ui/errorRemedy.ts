/**
 * What a failure on a connection means for the user, and what to do next:
 * a short problem ("Login refused", "Unreachable") and the remedy command
 * (Set Password, Test Connection, Edit Connection). Tree error nodes lead
 * with it; the error notification of a command offers it as buttons.
 */
import * as vscode from 'vscode';
import { AuthError, ConnectionError, PermissionError, SshAuthError, TimeoutError } from '../core/errors';

/** The contextValue flag an error node carries for its remedy's inline action. */
export type RemedyFlag = 'login' | 'denied' | 'unreachable';

export interface Remedy {
  /** Two or three words: what went wrong. */
  problem: string;
  /** The button / action title. */
  action: string;
  command: string;
  /** The command's arguments; the error node itself when absent. */
  args?: unknown[];
  flag?: RemedyFlag;
}

/** A profile in settings that could not be read: the settings are the remedy. */
export function settingsRemedy(setting: string): Remedy {
  return {
    problem: vscode.l10n.t('Profile not loaded'),
    action: vscode.l10n.t('Open Settings'),
    command: 'workbench.action.openSettings',
    args: [setting],
  };
}

export const TEST_CONNECTION = 'brokerExplorer.profiles.test';
export const EDIT_CONNECTION = 'brokerExplorer.profiles.edit';
export const SET_PASSWORD = 'brokerExplorer.profiles.setPassword';
export const RETRY = 'brokerExplorer.retry';

/** The remedy of a failure: a connection or login problem gets its own; anything else is retried. */
export function remedyOf(err: unknown): Remedy {
  if (err instanceof PermissionError)
    return { problem: vscode.l10n.t('Not allowed'), action: vscode.l10n.t('Edit Connection…'), command: EDIT_CONNECTION, flag: 'denied' };
  if (err instanceof AuthError) {
    return {
      problem: err instanceof SshAuthError ? vscode.l10n.t('SSH login refused') : vscode.l10n.t('Login refused'),
      action: vscode.l10n.t('Set Password…'),
      command: SET_PASSWORD,
      flag: 'login',
    };
  }
  if (err instanceof ConnectionError || err instanceof TimeoutError)
    return {
      problem: err instanceof TimeoutError ? vscode.l10n.t('No answer in time') : vscode.l10n.t('Unreachable'),
      action: vscode.l10n.t('Test Connection…'),
      command: TEST_CONNECTION,
      flag: 'unreachable',
    };
  return { problem: vscode.l10n.t('Failed'), action: vscode.l10n.t('Retry'), command: RETRY };
}

/** True for the failures whose notification offers Test Connection, Edit Connection and Show Log. */
export function isConnectionFailure(err: unknown): boolean {
  return err instanceof AuthError || err instanceof ConnectionError || err instanceof TimeoutError;
}
