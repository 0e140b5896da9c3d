/**
 * The one pool: one entry per key (a profile plus a db or vhost), opened
 * once and shared, dropped when opening fails, replaced when the profile's
 * settings change, closed per profile (`invalidate`) or all (`dispose`).
 * The Redis and AMQP session pools are instances of it.
 */
import type { GuardedProfile } from './readOnly';

interface Entry<P, V> {
  profile: P;
  value: Promise<V>;
}

export class ProfilePool<P extends GuardedProfile, V> {
  private readonly entries = new Map<string, Entry<P, V>>();

  /** `open` makes the value of a (profile, part); `close` ends one. */
  constructor(
    private readonly open: (profile: P, part: string) => Promise<V>,
    private readonly close: (value: V) => void | Promise<void>,
  ) {}

  /** The value of (profile, part), opened on first use; a changed profile object opens a new one. */
  acquire(profile: P, part: string): Promise<V> {
    const key = `${profile.name}\u0000${part}`;
    const existing = this.entries.get(key);
    if (existing && existing.profile === profile) return existing.value;
    if (existing) this.drop(key, existing);
    const value = this.open(profile, part);
    const entry: Entry<P, V> = { profile, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** Closes the entries of one profile (after its settings or password changed), or all. */
  invalidate(profileName?: string): void {
    for (const [key, entry] of this.entries) {
      if (profileName === undefined || entry.profile.name === profileName) this.drop(key, entry);
    }
  }

  /** Closes every entry and waits for them to close. */
  async dispose(): Promise<void> {
    const values = [...this.entries.values()].map((e) => e.value);
    this.entries.clear();
    await Promise.all(
      values.map(async (v) => {
        const value = await v.catch(() => undefined);
        if (value !== undefined) await this.close(value);
      }),
    );
  }

  private drop(key: string, entry: Entry<P, V>): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
    entry.value.then(
      (v) => this.close(v),
      () => undefined,
    );
  }
}
