import { JsonKind, JsonParser } from "../json";
import { checkKeys, editDistance } from "../config";

describe("JsonParser", () => {
  it("parses objects, arrays, numbers, booleans and null", () => {
    const v = new JsonParser('{"a": [1, -2.5e1, true, false, null], "b": {"c": "d"}}').parse();
    expect(v).not.toBeNull();
    const a = v!.get("a")!;
    expect(a.kind).toBe(JsonKind.Array);
    expect(a.items.length).toBe(5);
    expect(a.items[0].num).toBe(1.0);
    expect(a.items[1].num).toBe(-25.0);
    expect(a.items[2].bool).toBe(true);
    expect(a.items[4].kind).toBe(JsonKind.Null);
    expect(v!.get("b")!.get("c")!.str).toBe("d");
    expect(v!.get("missing")).toBeNull();
  });
  it("decodes string escapes", () => {
    const v = new JsonParser('"q\\"b\\\\s\\/n\\nt\\tu\\u00e9"').parse();
    expect(v!.str).toBe('q"b\\s/n\nt\tué');
  });
  it("reports where the JSON is broken", () => {
    const cases = ['{"a": }', '{"a" 1}', "[1, 2", '"open', "{} x", "tru", '{"a": 1,}', "-"];
    for (let i = 0; i < cases.length; i++) {
      const p = new JsonParser(cases[i]);
      expect(p.parse()).toBeNull();
      expect(p.error.startsWith("invalid JSON at offset ")).toBe(true);
    }
  });
});

describe("config helpers", () => {
  it("names an unknown key with its path and the closest known key", () => {
    const v = new JsonParser('{"rules": 1, "defualt_tier": "x"}').parse()!;
    const msg = checkKeys(v, "", ["rules", "default_tier", "catalog"]);
    expect(msg).toBe("defualt_tier: unknown key (known: rules, default_tier, catalog); did you mean `default_tier`?");
    expect(checkKeys(v, "", ["rules", "defualt_tier"])).toBe("");
  });
  it("computes edit distances", () => {
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("tier", "tier")).toBe(0);
    expect(editDistance("teir", "tier")).toBe(2);
    expect(editDistance("score", "scores")).toBe(1);
  });
});
