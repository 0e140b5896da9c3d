/**
 * Redis glob matching (stringmatchlen): `*`, `?`, `[abc]`, `[^a]`, `[a-z]`,
 * `\x` escapes, on bytes. Used to narrow keys on our side when a page's
 * MATCH already selects a namespace.
 */
export function globMatch(pattern: Buffer, subject: Buffer): boolean {
  return matchAt(pattern, 0, subject, 0);
}

function matchAt(p: Buffer, pi: number, s: Buffer, si: number): boolean {
  while (pi < p.length) {
    const c = p[pi];
    if (c === 0x2a) {
      while (pi + 1 < p.length && p[pi + 1] === 0x2a) pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) if (matchAt(p, pi + 1, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === 0x3f) {
      pi++;
      si++;
      continue;
    }
    if (c === 0x5b) {
      let i = pi + 1;
      const not = p[i] === 0x5e;
      if (not) i++;
      let matched = false;
      while (i < p.length && p[i] !== 0x5d) {
        if (p[i] === 0x5c && i + 1 < p.length) {
          i++;
          if (p[i] === s[si]) matched = true;
        } else if (i + 2 < p.length && p[i + 1] === 0x2d && p[i + 2] !== 0x5d) {
          let lo = p[i];
          let hi = p[i + 2];
          if (lo > hi) [lo, hi] = [hi, lo];
          if (s[si] >= lo && s[si] <= hi) matched = true;
          i += 2;
        } else if (p[i] === s[si]) matched = true;
        i++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      pi = i < p.length ? i + 1 : i;
      si++;
      continue;
    }
    if (c === 0x5c && pi + 1 < p.length) pi++;
    if (p[pi] !== s[si]) return false;
    pi++;
    si++;
  }
  return si === s.length;
}
