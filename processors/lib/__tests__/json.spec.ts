import { JsonKind, JsonParser, MAX_DEPTH } from "../json";
import { checkKeys, editDistance, parseConfigObject } from "../config";

function errorOf(text: string): string {
  const p = new JsonParser(text);
  if (p.parse() !== null) throw new Error("parsed, want an error: " + text);
  return p.error;
}

describe("JsonParser", () => {
  it("parses objects, arrays, numbers, booleans and null", () => {
    const v = new JsonParser('{"a": [1, -2.5e1, true, false, null], "b": {"c": "d"}}').parse();
    expect(v).not.toBeNull();
    expect(v!.kind).toBe(JsonKind.Object);
    expect(v!.keys.length).toBe(2);
    const a = v!.get("a")!;
    expect(a.kind).toBe(JsonKind.Array);
    expect(a.items.length).toBe(5);
    expect(a.items[0].num).toBe(1.0);
    expect(a.items[1].num).toBe(-25.0);
    expect(a.items[2].bool).toBe(true);
    expect(a.items[3].kind).toBe(JsonKind.Bool);
    expect(a.items[3].bool).toBe(false);
    expect(a.items[4].kind).toBe(JsonKind.Null);
    expect(v!.get("b")!.get("c")!.str).toBe("d");
    expect(v!.get("missing")).toBeNull();
    expect(v!.has("b")).toBe(true);
  });
  it("parses empty containers, whitespace and top-level scalars", () => {
    expect(new JsonParser(" \t\r\n{ } ").parse()!.keys.length).toBe(0);
    expect(new JsonParser("[ ]").parse()!.items.length).toBe(0);
    expect(new JsonParser("[[[]]]").parse()!.items[0].items[0].kind).toBe(JsonKind.Array);
    expect(new JsonParser("0").parse()!.num).toBe(0.0);
    expect(new JsonParser("-0.5").parse()!.num).toBe(-0.5);
    expect(new JsonParser("0.95").parse()!.num).toBe(0.95);
    expect(new JsonParser("1E+2").parse()!.num).toBe(100.0);
    expect(new JsonParser("2e-3").parse()!.num).toBe(0.002);
    expect(new JsonParser('"x"').parse()!.str).toBe("x");
  });
  it("decodes string escapes", () => {
    const v = new JsonParser('"q\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\fu\\u00e9"').parse();
    expect(v!.str).toBe('q"b\\s/n\nt\tr\rb\bf\fué');
  });
  it("decodes \\u escapes, surrogate pairs included, and raw UTF-8", () => {
    expect(new JsonParser('"\\u0041\\u00DF\\u65e5"').parse()!.str).toBe("Aß日");
    expect(new JsonParser('"\\ud83d\\ude00"').parse()!.str).toBe("😀");
    expect(new JsonParser('"日本 😀"').parse()!.str).toBe("日本 😀");
    expect(new JsonParser('{"k\\u00e9y": 1}').parse()!.get("kéy")!.num).toBe(1.0);
  });
  it("refuses malformed JSON with the byte offset", () => {
    const cases = ['{"a": }', '{"a" 1}', "[1, 2", '"open', "{} x", "tru", '{"a": 1,}', "-", "[1,]", "{,}", "", "   ",
      "nul", "[1 2]", "{\"a\":1 \"b\":2}", "'single'"];
    for (let i = 0; i < cases.length; i++) {
      expect(errorOf(cases[i]).startsWith("invalid JSON at offset ")).toBe(true);
    }
    expect(errorOf("{} x")).toBe("invalid JSON at offset 3: unexpected text after the JSON value");
    expect(errorOf('"é" x')).toBe("invalid JSON at offset 5: unexpected text after the JSON value");
  });
  it("refuses numbers outside the JSON grammar", () => {
    const cases = ["01", "1.", ".5", "1e", "1e+", "+1", "--1", "1.2.3", "0x10", "1e400", "-"];
    for (let i = 0; i < cases.length; i++) {
      expect(errorOf(cases[i]).startsWith("invalid JSON at offset ")).toBe(true);
    }
    expect(errorOf("01")).toBe("invalid JSON at offset 0: malformed number: leading zero");
    expect(errorOf("[1e400]")).toBe("invalid JSON at offset 1 ([0]): number out of range");
  });
  it("refuses bad strings", () => {
    expect(errorOf('"a\\x"')).toBe("invalid JSON at offset 2: unknown escape \\x");
    expect(errorOf('"\\u12g4"')).toBe("invalid JSON at offset 1: bad \\u escape: expected 4 hex digits");
    expect(errorOf('"\\u12"')).toBe("invalid JSON at offset 1: bad \\u escape: expected 4 hex digits");
    expect(errorOf('"a\nb"')).toBe("invalid JSON at offset 2: control character in a string (escape it)");
    expect(errorOf('"abc')).toBe("invalid JSON at offset 4: unterminated string");
  });
  it("names the key path where the JSON breaks", () => {
    expect(errorOf('{"rules": [{"tier": }]}')).toBe("invalid JSON at offset 20 (rules[0].tier): unexpected character '}', expected a value");
    expect(errorOf('{"rules": [{}, {"executable" "x"}]}')).toBe("invalid JSON at offset 29 (rules[1].executable): expected ':' after the key");
    expect(errorOf('{"a": {"b": [1, 2 3]}}')).toBe("invalid JSON at offset 18 (a.b): expected ',' or ']' in an array");
  });
  it("refuses duplicate keys", () => {
    expect(errorOf('{"rules": [], "catalog": true, "rules": []}')).toBe("invalid JSON at offset 31 (rules): duplicate key");
    expect(errorOf('{"a": {"x": 1, "x": 2}}')).toBe("invalid JSON at offset 15 (a.x): duplicate key");
  });
  it("limits nesting depth", () => {
    let deep = "";
    for (let i = 0; i < MAX_DEPTH; i++) deep += "[";
    for (let i = 0; i < MAX_DEPTH; i++) deep += "]";
    expect(new JsonParser(deep).parse()).not.toBeNull();
    expect(errorOf("[" + deep + "]").includes("nested deeper than 64 levels")).toBe(true);
  });
});

describe("config helpers", () => {
  it("names an unknown key with its path and the closest known key", () => {
    const v = new JsonParser('{"rules": 1, "defualt_tier": "x"}').parse()!;
    const msg = checkKeys(v, "", ["rules", "default_tier", "catalog"]);
    expect(msg).toBe("defualt_tier: unknown key (known: rules, default_tier, catalog); did you mean `default_tier`?");
    expect(checkKeys(v, "", ["rules", "defualt_tier"])).toBe("");
    const rule = new JsonParser('{"tierr": 1}').parse()!;
    expect(checkKeys(rule, "rules[2]", ["tier", "score"])).toBe("rules[2].tierr: unknown key (known: tier, score); did you mean `tier`?");
  });
  it("parses a config root: empty text is {}, it must be an object of known keys", () => {
    expect(parseConfigObject("", ["a"]).error).toBe("");
    expect(parseConfigObject("{}", ["a"]).error).toBe("");
    expect(parseConfigObject('{"a": 1}', ["a"]).value.get("a")!.num).toBe(1.0);
    expect(parseConfigObject("[]", ["a"]).error).toBe("config: expected an object, got an array");
    expect(parseConfigObject('{"b": 1}', ["a"]).error).toBe("b: unknown key (known: a)");
    expect(parseConfigObject("{", ["a"]).error).toBe("config: invalid JSON at offset 1: expected a key string");
  });
  it("computes edit distances", () => {
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("tier", "tier")).toBe(0);
    expect(editDistance("teir", "tier")).toBe(2);
    expect(editDistance("score", "scores")).toBe(1);
  });
});
