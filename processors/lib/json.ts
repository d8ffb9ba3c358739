// A small JSON parser (RFC 8259) for module configs. It runs once per instance
// (nrdot_configure), never per row, so it favours clear errors over speed: an error gives the
// byte offset and the key path of the value being read ("rules[2].tier").

export enum JsonKind { Null, Bool, Number, String, Array, Object }

/** MAX_DEPTH bounds nesting, so a hostile config cannot exhaust the stack. */
export const MAX_DEPTH: i32 = 64;

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  num: f64 = 0;
  str: string = "";
  /** items holds an array's elements, or an object's member values (in keys order). */
  items: JsonValue[] = [];
  /** keys holds an object's member names, in document order (no duplicates). */
  keys: string[] = [];

  /** get returns the member named key of an object, or null. */
  get(key: string): JsonValue | null {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] == key) return this.items[i];
    }
    return null;
  }

  /** has reports whether an object has a member named key. */
  has(key: string): bool {
    return this.keys.includes(key);
  }

  /** kindName names the kind for error messages ("a string", "an object", …). */
  kindName(): string {
    switch (this.kind) {
      case JsonKind.Null: return "null";
      case JsonKind.Bool: return "a boolean";
      case JsonKind.Number: return "a number";
      case JsonKind.String: return "a string";
      case JsonKind.Array: return "an array";
    }
    return "an object";
  }
}

/**
 * JsonParser parses one document: `new JsonParser(text).parse()` returns the value, or null with
 * `error` set to "invalid JSON at offset <byte> (<key path>): <what>".
 */
export class JsonParser {
  pos: i32 = 0;
  error: string = "";
  constructor(public src: string) {}

  parse(): JsonValue | null {
    const v = this.value("", 0);
    if (v === null) return null;
    this.skipSpace();
    if (this.pos < this.src.length) return this.fail("", "unexpected text after the JSON value");
    return v;
  }

  private fail(path: string, message: string): JsonValue | null {
    if (this.error.length == 0) {
      // Report a byte offset, as a user's editor or `jq` would count it.
      const at = String.UTF8.byteLength(this.src.substring(0, this.pos));
      let e = "invalid JSON at offset " + at.toString();
      if (path.length > 0) e += " (" + path + ")";
      this.error = e + ": " + message;
    }
    return null;
  }

  private skipSpace(): void {
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  private value(path: string, depth: i32): JsonValue | null {
    this.skipSpace();
    if (this.pos >= this.src.length) return this.fail(path, "unexpected end, expected a value");
    const c = this.src.charCodeAt(this.pos);
    if (c == 0x7b || c == 0x5b) {
      if (depth >= MAX_DEPTH) return this.fail(path, "nested deeper than " + MAX_DEPTH.toString() + " levels");
      return c == 0x7b ? this.object(path, depth + 1) : this.array(path, depth + 1);
    }
    if (c == 0x22) {
      const s = this.string(path);
      if (s === null) return null;
      const v = new JsonValue();
      v.kind = JsonKind.String;
      v.str = s;
      return v;
    }
    if (this.literal("true")) return boolValue(true);
    if (this.literal("false")) return boolValue(false);
    if (this.literal("null")) return new JsonValue();
    if (c == 0x2d || isDigit(c)) return this.number(path);
    return this.fail(path, "unexpected character '" + String.fromCharCode(c) + "', expected a value");
  }

  private literal(word: string): bool {
    if (this.src.substr(this.pos, word.length) != word) return false;
    this.pos += word.length;
    return true;
  }

  /** digits skips a run of digits and returns how many there were. */
  private digits(): i32 {
    const start = this.pos;
    while (this.pos < this.src.length && isDigit(this.src.charCodeAt(this.pos))) this.pos++;
    return this.pos - start;
  }

  // number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  private number(path: string): JsonValue | null {
    const start = this.pos;
    const src = this.src;
    if (src.charCodeAt(this.pos) == 0x2d) this.pos++;
    const intStart = this.pos;
    const intDigits = this.digits();
    if (intDigits == 0) return this.fail(path, "malformed number: expected a digit");
    if (intDigits > 1 && src.charCodeAt(intStart) == 0x30) {
      this.pos = intStart;
      return this.fail(path, "malformed number: leading zero");
    }
    if (this.pos < src.length && src.charCodeAt(this.pos) == 0x2e) {
      this.pos++;
      if (this.digits() == 0) return this.fail(path, "malformed number: expected a digit after '.'");
    }
    if (this.pos < src.length && (src.charCodeAt(this.pos) | 0x20) == 0x65) {
      this.pos++;
      if (this.pos < src.length && (src.charCodeAt(this.pos) == 0x2b || src.charCodeAt(this.pos) == 0x2d)) this.pos++;
      if (this.digits() == 0) return this.fail(path, "malformed number: expected a digit in the exponent");
    }
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    v.num = parseFloat(src.substring(start, this.pos));
    if (!isFinite(v.num)) {
      this.pos = start;
      return this.fail(path, "number out of range");
    }
    return v;
  }

  private string(path: string): string | null {
    const src = this.src;
    this.pos++; // opening quote
    let out = "";
    let runStart = this.pos;
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos);
      if (c == 0x22) {
        out += src.substring(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) {
        this.fail(path, "control character in a string (escape it)");
        return null;
      }
      if (c != 0x5c) {
        this.pos++;
        continue;
      }
      out += src.substring(runStart, this.pos);
      this.pos++; // backslash
      if (this.pos >= src.length) break;
      const e = src.charCodeAt(this.pos);
      if (e == 0x22) out += "\"";
      else if (e == 0x5c) out += "\\";
      else if (e == 0x2f) out += "/";
      else if (e == 0x62) out += "\b";
      else if (e == 0x66) out += "\f";
      else if (e == 0x6e) out += "\n";
      else if (e == 0x72) out += "\r";
      else if (e == 0x74) out += "\t";
      else if (e == 0x75) {
        // \uXXXX is one UTF-16 unit; a pair of escaped surrogates makes one code point.
        let code = 0;
        for (let i = 1; i <= 4; i++) {
          const h = this.pos + i < src.length ? hexValue(src.charCodeAt(this.pos + i)) : -1;
          if (h < 0) {
            this.pos--;
            this.fail(path, "bad \\u escape: expected 4 hex digits");
            return null;
          }
          code = (code << 4) | h;
        }
        out += String.fromCharCode(code);
        this.pos += 4;
      } else {
        this.pos--;
        this.fail(path, "unknown escape \\" + String.fromCharCode(e));
        return null;
      }
      this.pos++;
      runStart = this.pos;
    }
    this.fail(path, "unterminated string");
    return null;
  }

  private array(path: string, depth: i32): JsonValue | null {
    this.pos++;
    const v = new JsonValue();
    v.kind = JsonKind.Array;
    this.skipSpace();
    if (this.pos < this.src.length && this.src.charCodeAt(this.pos) == 0x5d) {
      this.pos++;
      return v;
    }
    for (;;) {
      const item = this.value(index(path, v.items.length), depth);
      if (item === null) return null;
      v.items.push(item);
      this.skipSpace();
      if (this.pos >= this.src.length) return this.fail(path, "unterminated array, expected ',' or ']'");
      const c = this.src.charCodeAt(this.pos);
      if (c == 0x5d) {
        this.pos++;
        return v;
      }
      if (c != 0x2c) return this.fail(path, "expected ',' or ']' in an array");
      this.pos++;
    }
    return null; // not reached: the loop only exits by return
  }

  private object(path: string, depth: i32): JsonValue | null {
    this.pos++;
    const v = new JsonValue();
    v.kind = JsonKind.Object;
    this.skipSpace();
    if (this.pos < this.src.length && this.src.charCodeAt(this.pos) == 0x7d) {
      this.pos++;
      return v;
    }
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 0x22) return this.fail(path, "expected a key string");
      const keyAt = this.pos;
      const key = this.string(path);
      if (key === null) return null;
      const member = join(path, key);
      if (v.keys.includes(key)) {
        this.pos = keyAt;
        return this.fail(member, "duplicate key");
      }
      this.skipSpace();
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 0x3a) return this.fail(member, "expected ':' after the key");
      this.pos++;
      const item = this.value(member, depth);
      if (item === null) return null;
      v.keys.push(key);
      v.items.push(item);
      this.skipSpace();
      if (this.pos >= this.src.length) return this.fail(path, "unterminated object, expected ',' or '}'");
      const c = this.src.charCodeAt(this.pos);
      if (c == 0x7d) {
        this.pos++;
        return v;
      }
      if (c != 0x2c) return this.fail(path, "expected ',' or '}' in an object");
      this.pos++;
    }
    return null; // not reached: the loop only exits by return
  }
}

// @ts-ignore: decorator
@inline function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

function boolValue(b: bool): JsonValue {
  const v = new JsonValue();
  v.kind = JsonKind.Bool;
  v.bool = b;
  return v;
}

/** utf8 decodes len bytes at ptr (configure-time only: it allocates). Empty for len <= 0. */
export function utf8(ptr: usize, len: i32): string {
  if (len <= 0) return "";
  return String.UTF8.decodeUnsafe(ptr, <usize>len);
}

/** join builds a key path: join("", "rules") == "rules", join("rules[0]", "tier") == "rules[0].tier". */
export function join(path: string, key: string): string {
  return path.length == 0 ? key : path + "." + key;
}

/** index builds the key path of an array item: index("rules", 2) == "rules[2]". */
export function index(path: string, i: i32): string {
  return path + "[" + i.toString() + "]";
}
