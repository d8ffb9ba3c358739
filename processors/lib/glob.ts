// Glob matching on UTF-8 bytes: `*` matches any run of bytes (also an empty one), `?` exactly one
// code point, every other byte itself (case-sensitive; there is no escape character). Matching
// allocates nothing and decodes nothing: names stay bytes. The general matcher is iterative with
// one backtrack point (the last `*`), so its cost is O(pattern × name) at worst, never
// exponential. Patterns are encoded once, at configure time.

const STAR: u8 = 0x2a; // *
const QUESTION: u8 = 0x3f; // ?

const KIND_GENERAL: u8 = 0;
const KIND_LITERAL: u8 = 1; // no wildcard
const KIND_PREFIX: u8 = 2; // a literal, then one trailing `*`
const KIND_ANY: u8 = 3; // only `*`s
const KIND_SUFFIX: u8 = 4; // one leading `*`, then a literal
const KIND_CONTAINS: u8 = 5; // `*`, a literal, `*`

/** Pattern is a glob compiled to UTF-8 bytes (at configure time). */
export class Pattern {
  bytes: ArrayBuffer;
  kind: u8 = KIND_GENERAL;

  constructor(public source: string) {
    this.bytes = String.UTF8.encode(source);
    this.kind = classify(changetype<usize>(this.bytes), this.bytes.byteLength);
  }

  /** ptr is where the pattern's UTF-8 bytes start. */
  // @ts-ignore: decorator
  @inline get ptr(): usize { return changetype<usize>(this.bytes); }
  /** len is the pattern's length in bytes. */
  // @ts-ignore: decorator
  @inline get len(): i32 { return this.bytes.byteLength; }

  /** matches tests the sLen UTF-8 bytes at s. */
  matches(s: usize, sLen: i32): bool {
    const p = this.ptr;
    const pLen = this.len;
    const kind = this.kind;
    // The literal kinds test one byte before comparing the rest: most names differ at once.
    if (kind == KIND_LITERAL) {
      return sLen == pLen && (pLen == 0 || load<u8>(s) == load<u8>(p)) && memory.compare(p, s, <usize>pLen) == 0;
    }
    if (kind == KIND_PREFIX) {
      return sLen >= pLen - 1 && load<u8>(s) == load<u8>(p) && memory.compare(p, s, <usize>(pLen - 1)) == 0;
    }
    if (kind == KIND_SUFFIX) {
      const n = pLen - 1;
      const at = s + <usize>(sLen - n);
      return sLen >= n && load<u8>(at + <usize>(n - 1)) == load<u8>(p + <usize>pLen - 1) && memory.compare(p + 1, at, <usize>n) == 0;
    }
    if (kind == KIND_CONTAINS) return contains(p + 1, pLen - 2, s, sLen);
    if (kind == KIND_ANY) return true;
    return globMatch(p, pLen, s, sLen);
  }
}

/**
 * PatternSet answers "does any pattern match?" looking only at the patterns that can match a
 * name's first byte: those starting with that byte, and those starting with a wildcard.
 */
export class PatternSet {
  patterns: Pattern[] = [];
  private wild: Pattern[] = [];
  private buckets: StaticArray<Pattern[]> = new StaticArray<Pattern[]>(256);

  constructor() {
    for (let b = 0; b < 256; b++) unchecked(this.buckets[b] = []);
  }

  get length(): i32 {
    return this.patterns.length;
  }

  add(p: Pattern): void {
    this.patterns.push(p);
    if (p.len == 0) return; // matches only the empty name: kept in patterns, checked below
    const first = load<u8>(p.ptr);
    if (first == STAR || first == QUESTION) this.wild.push(p);
    else unchecked(this.buckets[first]).push(p);
  }

  matches(s: usize, sLen: i32): bool {
    if (sLen == 0) return anyMatches(this.patterns, s, sLen);
    return anyMatches(unchecked(this.buckets[load<u8>(s)]), s, sLen) || anyMatches(this.wild, s, sLen);
  }
}

function anyMatches(patterns: Pattern[], s: usize, sLen: i32): bool {
  for (let i = 0, n = patterns.length; i < n; i++) {
    if (unchecked(patterns[i]).matches(s, sLen)) return true;
  }
  return false;
}

/** classify picks the cheapest matcher that is exact for the pattern. */
function classify(p: usize, len: i32): u8 {
  let stars = 0;
  let questions = 0;
  for (let i = 0; i < len; i++) {
    const c = load<u8>(p + <usize>i);
    if (c == STAR) stars++;
    else if (c == QUESTION) questions++;
  }
  if (questions == 0) {
    if (stars == 0) return KIND_LITERAL;
    if (stars == len) return KIND_ANY;
    const first = load<u8>(p) == STAR;
    const last = load<u8>(p + <usize>(len - 1)) == STAR;
    if (stars == 1 && last) return KIND_PREFIX;
    if (stars == 1 && first) return KIND_SUFFIX;
    if (stars == 2 && first && last && len > 2) return KIND_CONTAINS;
  }
  return KIND_GENERAL;
}

/** contains reports whether the n bytes at lit (n > 0) occur in the sLen bytes at s. */
function contains(lit: usize, n: i32, s: usize, sLen: i32): bool {
  const c = load<u8>(lit);
  for (let i = 0, end = sLen - n; i <= end; i++) {
    if (load<u8>(s + <usize>i) == c && memory.compare(lit, s + <usize>i, <usize>n) == 0) return true;
  }
  return false;
}

/** nextCodePoint returns the index after the UTF-8 code point that starts at i. */
// @ts-ignore: decorator
@inline function nextCodePoint(s: usize, i: i32, len: i32): i32 {
  i++;
  while (i < len && (load<u8>(s + <usize>i) & 0xc0) == 0x80) i++;
  return i;
}

/** globMatch matches the pattern's pLen bytes at p against the name's sLen bytes at s. */
export function globMatch(p: usize, pLen: i32, s: usize, sLen: i32): bool {
  let pi = 0;
  let si = 0;
  let starP = -1; // index of the last `*` seen, -1 for none
  let starS = 0; // where in the name that `*` match currently ends
  while (si < sLen) {
    if (pi < pLen) {
      const c = load<u8>(p + <usize>pi);
      if (c == STAR) {
        starP = pi++;
        starS = si;
        continue;
      }
      if (c == QUESTION) {
        pi++;
        si = nextCodePoint(s, si, sLen);
        continue;
      }
      if (c == load<u8>(s + <usize>si)) {
        pi++;
        si++;
        continue;
      }
    }
    if (starP < 0) return false;
    // Let the last star swallow one more code point and retry from there. An earlier star never
    // needs to move: the last one can absorb whatever it would have.
    pi = starP + 1;
    starS = nextCodePoint(s, starS, sLen);
    si = starS;
  }
  while (pi < pLen && load<u8>(p + <usize>pi) == STAR) pi++;
  return pi == pLen;
}

/** globMatchString is globMatch for a pattern and a name given as strings (tests; it allocates). */
export function globMatchString(pattern: string, name: string): bool {
  const n = String.UTF8.encode(name);
  return new Pattern(pattern).matches(changetype<usize>(n), n.byteLength);
}

/** globMatchGeneral always uses the general matcher (tests compare it with the fast paths). */
export function globMatchGeneral(pattern: string, name: string): bool {
  const p = String.UTF8.encode(pattern);
  const n = String.UTF8.encode(name);
  return globMatch(changetype<usize>(p), p.byteLength, changetype<usize>(n), n.byteLength);
}
