// Glob matching on UTF-8 bytes: `*` any run (also empty), `?` one code point, anything else
// literal and case-sensitive. No allocation and no decoding: names stay bytes. Iterative with a
// single backtrack point, so the cost is O(pattern × name) at worst, never exponential.

/** Pattern is a glob compiled once (at configure time) to UTF-8 bytes. */
export class Pattern {
  bytes: ArrayBuffer;
  constructor(public source: string) {
    this.bytes = String.UTF8.encode(source);
  }
  @inline get ptr(): usize { return changetype<usize>(this.bytes); }
  @inline get len(): i32 { return this.bytes.byteLength; }

  matches(s: usize, sLen: i32): bool {
    return globMatch(this.ptr, this.len, s, sLen);
  }
}

const STAR: u8 = 0x2a; // *
const QUESTION: u8 = 0x3f; // ?

/** nextCodePoint returns the index after the UTF-8 code point starting at i. */
@inline function nextCodePoint(s: usize, i: i32, len: i32): i32 {
  i++;
  while (i < len && (load<u8>(s + <usize>i) & 0xc0) == 0x80) i++;
  return i;
}

export function globMatch(p: usize, pLen: i32, s: usize, sLen: i32): bool {
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
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
    // Let the last star swallow one more code point and retry from there.
    pi = starP + 1;
    starS = nextCodePoint(s, starS, sLen);
    si = starS;
  }
  while (pi < pLen && load<u8>(p + <usize>pi) == STAR) pi++;
  return pi == pLen;
}

/** globMatchString is globMatch for a pattern and a name given as strings (tests, config). */
export function globMatchString(pattern: string, name: string): bool {
  const n = String.UTF8.encode(name);
  return new Pattern(pattern).matches(changetype<usize>(n), n.byteLength);
}
