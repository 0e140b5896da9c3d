/**
 * Redis glob matching on bytes, as SCAN / SSCAN / KEYS apply MATCH
 * (util.c stringmatchlen, nocase off): `*`, `?`, `[abc]`, `[^a]`, `[a-z]`
 * (a reversed range counts, `]` may end a range), `\x` escapes, an
 * unterminated `[` class running to the end of the pattern. Used to narrow
 * keys on our side and to filter list elements, on the extension host
 * thread, so it must never blow up: instead of backtracking into every `*`
 * (exponential on `*a*a*a*b`), it remembers only the last `*` and retries
 * from there. That is the same cut Redis 7.0.9+ makes with
 * skipLongerMatches, and it makes a match O(pattern × subject) at worst.
 *
 * Every pattern element other than `*` consumes exactly one byte, and how
 * many pattern bytes it spans depends on the pattern alone, which is what
 * makes retrying from the last `*` exact.
 */

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;

/** True when `subject` matches `pattern` as SCAN MATCH decides it (a lone `*` matches everything, the empty string too). */
export function globMatch(pattern: Buffer, subject: Buffer): boolean {
  // SCAN and KEYS skip matching for the pattern "*"; stringmatchlen itself refuses an empty subject for any non-empty pattern.
  if (pattern.length === 1 && pattern[0] === STAR) return true;
  return stringMatch(pattern, subject);
}

/** stringmatchlen(pattern, subject, nocase = 0) without recursion. */
function stringMatch(p: Buffer, s: Buffer): boolean {
  // Redis' loop runs while both have bytes left: an empty subject matches only the empty pattern.
  if (s.length === 0) return p.length === 0;
  let pi = 0;
  let si = 0;
  /** Pattern index just after the last `*` run, or -1; and where in the subject that `*` began. */
  let afterStar = -1;
  let starFrom = 0;
  while (si < s.length) {
    if (pi < p.length && p[pi] === STAR) {
      while (pi < p.length && p[pi] === STAR) pi++;
      if (pi === p.length) return true;
      afterStar = pi;
      starFrom = si;
      continue;
    }
    const next = pi < p.length ? matchOne(p, pi, s[si]) : -1;
    if (next >= 0) {
      pi = next;
      si++;
      continue;
    }
    if (afterStar < 0) return false;
    // Let the last `*` take one more byte and try the rest again; earlier `*`s never need to take more (skipLongerMatches).
    starFrom++;
    si = starFrom;
    pi = afterStar;
  }
  while (pi < p.length && p[pi] === STAR) pi++;
  return pi === p.length;
}

/**
 * Matches the one-byte element at p[pi] (not `*`) against `c`: the index
 * after the element, or -1 when `c` does not match.
 */
function matchOne(p: Buffer, pi: number, c: number): number {
  const head = p[pi];
  if (head === QUESTION) return pi + 1;
  if (head === OPEN) return matchClass(p, pi + 1, c);
  if (head === BACKSLASH && pi + 1 < p.length) return p[pi + 1] === c ? pi + 2 : -1;
  return head === c ? pi + 1 : -1;
}

/** A `[...]` class starting at `i` (just after the `[`), as stringmatchlen reads it. */
function matchClass(p: Buffer, start: number, c: number): number {
  let i = start;
  const not = i < p.length && p[i] === CARET;
  if (not) i++;
  let match = false;
  for (;;) {
    const left = p.length - i;
    if (left >= 2 && p[i] === BACKSLASH) {
      i++;
      if (p[i] === c) match = true;
    } else if (left > 0 && p[i] === CLOSE) {
      break;
    } else if (left <= 0) {
      // Unterminated: the class runs to the end of the pattern.
      i = p.length - 1;
      break;
    } else if (left >= 3 && p[i + 1] === DASH) {
      const a = p[i];
      const b = p[i + 2];
      if (c >= Math.min(a, b) && c <= Math.max(a, b)) match = true;
      i += 2;
    } else if (p[i] === c) {
      match = true;
    }
    i++;
  }
  if (not) match = !match;
  return match ? i + 1 : -1;
}
