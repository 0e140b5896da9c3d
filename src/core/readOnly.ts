/**
 * The read-only guard, one place and one sentence for both brokers: every
 * write path of a session calls `assertWritable` before anything is sent.
 */
import * as l10n from '@vscode/l10n';
import { ReadOnlyError } from './errors';

/** What the guard needs to know about a profile. */
export interface GuardedProfile {
  readonly name: string;
  readonly readOnly: boolean;
}

/** The one refusal: `action` names what was refused (`SET`, `purging queue "q"`, `"Create key"`). */
export function readOnlyError(profile: GuardedProfile, action: string): ReadOnlyError {
  return new ReadOnlyError(
    l10n.t(
      'Profile "{0}" is read-only, so {1} was refused before anything was sent; turn off "readOnly" in the profile to allow it.',
      profile.name,
      action,
    ),
  );
}

/** Throws the ReadOnlyError when the profile is read-only. */
export function assertWritable(profile: GuardedProfile, action: string): void {
  if (profile.readOnly) throw readOnlyError(profile, action);
}
