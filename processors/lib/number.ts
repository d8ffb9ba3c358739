// Byte-level number parsing for attribute columns (no string decoding per row).

/** parseDecimal parses [-]digits[.digits][(e|E)[+-]digits] from UTF-8 bytes; NaN if malformed. */
export function parseDecimal(p: usize, len: i32): f64 {
  if (len <= 0) return NaN;
  let i = 0;
  let neg = false;
  let c = load<u8>(p);
  if (c == 0x2d) { neg = true; i++; }
  let mant: f64 = 0;
  let digits = 0;
  let scale = 0;
  while (i < len) {
    c = load<u8>(p + <usize>i);
    if (c >= 0x30 && c <= 0x39) { mant = mant * 10 + <f64>(c - 0x30); digits++; i++; }
    else break;
  }
  if (i < len && load<u8>(p + <usize>i) == 0x2e) {
    i++;
    while (i < len) {
      c = load<u8>(p + <usize>i);
      if (c >= 0x30 && c <= 0x39) { mant = mant * 10 + <f64>(c - 0x30); digits++; scale--; i++; }
      else break;
    }
  }
  if (digits == 0) return NaN;
  if (i < len && (load<u8>(p + <usize>i) | 0x20) == 0x65) {
    i++;
    let eneg = false;
    if (i < len && (load<u8>(p + <usize>i) == 0x2d || load<u8>(p + <usize>i) == 0x2b)) { eneg = load<u8>(p + <usize>i) == 0x2d; i++; }
    let e = 0;
    let edigits = 0;
    while (i < len) {
      c = load<u8>(p + <usize>i);
      if (c >= 0x30 && c <= 0x39 && e < 10000) { e = e * 10 + <i32>(c - 0x30); edigits++; i++; }
      else break;
    }
    if (edigits == 0) return NaN;
    scale += eneg ? -e : e;
  }
  if (i != len) return NaN;
  const v = scale >= 0 ? mant * Math.pow(10, <f64>scale) : mant / Math.pow(10, <f64>-scale);
  return neg ? -v : v;
}

/** parseUint parses decimal digits; -1 if empty or not all digits. */
export function parseUint(p: usize, len: i32): i64 {
  if (len <= 0 || len > 18) return -1;
  let v: i64 = 0;
  for (let i = 0; i < len; i++) {
    const c = load<u8>(p + <usize>i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + <i64>(c - 0x30);
  }
  return v;
}

/** mix64 is splitmix64's finaliser: a well-spread 64-bit hash of an identity key. */
export function mix64(x: u64): u64 {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9;
  x ^= x >> 27;
  x *= 0x94d049bb133111eb;
  x ^= x >> 31;
  return x;
}
