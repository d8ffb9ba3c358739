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
    if (kind == KIND_LITERAL) return sLen == pLen && memory.compare(p, s, <usize>pLen) == 0;
    if (kind == KIND_PREFIX) return sLen >= pLen - 1 && memory.compare(p, s, <usize>(pLen - 1)) == 0;
    if (kind == KIND_ANY) return true;
    return globMatch(p, pLen, s, sLen);
  }
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
    if (stars == 1 && load<u8>(p + <usize>(len - 1)) == STAR) return KIND_PREFIX;
  }
  return KIND_GENERAL;
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
