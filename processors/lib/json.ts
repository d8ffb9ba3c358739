// A small JSON parser for module configs. It runs once per instance (nrdot_configure), never per
// row, so it favours clear errors over speed.

export enum JsonKind { Null, Bool, Number, String, Array, Object }

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  num: f64 = 0;
  str: string = "";
  items: JsonValue[] = [];
  keys: string[] = [];

  /** get returns the member named key of an object, or null. */
  get(key: string): JsonValue | null {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] == key) return this.items[i];
    }
    return null;
  }

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

/** JsonParser parses one document; after parse() returns null, error says what and where. */
export class JsonParser {
  pos: i32 = 0;
  error: string = "";
  constructor(public src: string) {}

  parse(): JsonValue | null {
    const v = this.value();
    if (v === null) return null;
    this.skipSpace();
    if (this.pos < this.src.length) return this.fail("unexpected text after the JSON value");
    return v;
  }

  private fail(message: string): JsonValue | null {
    if (this.error.length == 0) this.error = "invalid JSON at offset " + this.pos.toString() + ": " + message;
    return null;
  }

  private skipSpace(): void {
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  private value(): JsonValue | null {
    this.skipSpace();
    if (this.pos >= this.src.length) return this.fail("unexpected end");
    const c = this.src.charCodeAt(this.pos);
    if (c == 0x7b) return this.object();
    if (c == 0x5b) return this.array();
    if (c == 0x22) {
      const s = this.string();
      if (s === null) return null;
      const v = new JsonValue();
      v.kind = JsonKind.String;
      v.str = s;
      return v;
    }
    if (this.literal("true")) return boolValue(true);
    if (this.literal("false")) return boolValue(false);
    if (this.literal("null")) return new JsonValue();
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail("unexpected character '" + String.fromCharCode(c) + "'");
  }

  private literal(word: string): bool {
    if (this.src.substr(this.pos, word.length) != word) return false;
    this.pos += word.length;
    return true;
  }

  private number(): JsonValue | null {
    const start = this.pos;
    if (this.src.charCodeAt(this.pos) == 0x2d) this.pos++;
    let digits = 0;
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if ((c >= 0x30 && c <= 0x39)) digits++;
      else if (c != 0x2e && c != 0x65 && c != 0x45 && c != 0x2b && c != 0x2d) break;
      this.pos++;
    }
    if (digits == 0) return this.fail("malformed number");
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    v.num = parseFloat(this.src.substring(start, this.pos));
    if (isNaN(v.num)) return this.fail("malformed number");
    return v;
  }

  private string(): string | null {
    this.pos++; // opening quote
    let out = "";
    let runStart = this.pos;
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if (c == 0x22) {
        out += this.src.substring(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) {
        this.fail("control character in string");
        return null;
      }
      if (c == 0x5c) {
        out += this.src.substring(runStart, this.pos);
        this.pos++;
        if (this.pos >= this.src.length) break;
        const e = this.src.charCodeAt(this.pos);
        if (e == 0x22) out += "\"";
        else if (e == 0x5c) out += "\\";
        else if (e == 0x2f) out += "/";
        else if (e == 0x62) out += "\b";
        else if (e == 0x66) out += "\f";
        else if (e == 0x6e) out += "\n";
        else if (e == 0x72) out += "\r";
        else if (e == 0x74) out += "\t";
        else if (e == 0x75) {
          if (this.pos + 4 >= this.src.length) break;
          const code = parseInt(this.src.substr(this.pos + 1, 4), 16);
          if (isNaN(code)) {
            this.fail("bad \\u escape");
            return null;
          }
          out += String.fromCharCode(<i32>code);
          this.pos += 4;
        } else {
          this.fail("unknown escape \\" + String.fromCharCode(e));
          return null;
        }
        this.pos++;
        runStart = this.pos;
        continue;
      }
      this.pos++;
    }
    this.fail("unterminated string");
    return null;
  }

  private array(): JsonValue | null {
    this.pos++;
    const v = new JsonValue();
    v.kind = JsonKind.Array;
    this.skipSpace();
    if (this.pos < this.src.length && this.src.charCodeAt(this.pos) == 0x5d) {
      this.pos++;
      return v;
    }
    for (;;) {
      const item = this.value();
      if (item === null) return null;
      v.items.push(item as JsonValue);
      this.skipSpace();
      if (this.pos >= this.src.length) return this.fail("unterminated array");
      const c = this.src.charCodeAt(this.pos++);
      if (c == 0x5d) return v;
      if (c != 0x2c) return this.fail("expected ',' or ']' in array");
    }
    return null; // not reached: the loop only exits by return
  }

  private object(): JsonValue | null {
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
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 0x22) return this.fail("expected a key string");
      const key = this.string();
      if (key === null) return null;
      this.skipSpace();
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 0x3a) return this.fail("expected ':' after key");
      this.pos++;
      const item = this.value();
      if (item === null) return null;
      v.keys.push(key as string);
      v.items.push(item as JsonValue);
      this.skipSpace();
      if (this.pos >= this.src.length) return this.fail("unterminated object");
      const c = this.src.charCodeAt(this.pos++);
      if (c == 0x7d) return v;
      if (c != 0x2c) return this.fail("expected ',' or '}' in object");
    }
    return null; // not reached: the loop only exits by return
  }
}

function boolValue(b: bool): JsonValue {
  const v = new JsonValue();
  v.kind = JsonKind.Bool;
  v.bool = b;
  return v;
}

/** utf8 decodes len bytes at ptr (configure-time only: it allocates). */
export function utf8(ptr: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(ptr, <usize>len);
}
