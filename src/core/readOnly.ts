/**
 * The read-only guard, one place and one sentence for both brokers: every
 * write path of a session calls `assertWritable` before anything is sent.
 */
import { ReadOnlyError } from './errors';

/** What the guard needs to know about a profile. */
export interface GuardedProfile {
  readonly name: string;
  readonly readOnly: boolean;
}

/** The one refusal: `action` names what was refused (`SET`, `purging queue "q"`, `"Create key"`). */
export function readOnlyError(profile: GuardedProfile, action: string): ReadOnlyError {
  return new ReadOnlyError(
    `Profile "${profile.name}" is read-only, so ${action} was refused before anything was sent; turn off "readOnly" in the profile to allow it.`,
  );
}

/** Throws the ReadOnlyError when the profile is read-only. */
export function assertWritable(profile: GuardedProfile, action: string): void {
  if (profile.readOnly) throw readOnlyError(profile, action);
}
