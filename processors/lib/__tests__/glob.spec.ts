import { Pattern, PatternSet, globMatchGeneral, globMatchString } from "../glob";

/** both checks the fast path a Pattern picks and the general matcher give the same answer. */
function both(pattern: string, name: string): bool {
  const fast = globMatchString(pattern, name);
  const general = globMatchGeneral(pattern, name);
  if (fast != general) throw new Error("fast path and general matcher disagree on " + pattern + " / " + name);
  return fast;
}

function bytes(values: u8[]): ArrayBuffer {
  const b = new ArrayBuffer(values.length);
  for (let i = 0; i < values.length; i++) store<u8>(changetype<usize>(b) + <usize>i, values[i]);
  return b;
}

describe("globMatch", () => {
  it("matches literals exactly and case-sensitively", () => {
    expect(both("postgres", "postgres")).toBe(true);
    expect(both("postgres", "Postgres")).toBe(false);
    expect(both("postgres", "postgres2")).toBe(false);
    expect(both("postgres", "postgre")).toBe(false);
  });
  it("handles empty patterns and names", () => {
    expect(both("", "")).toBe(true);
    expect(both("", "a")).toBe(false);
    expect(both("*", "")).toBe(true);
    expect(both("**", "")).toBe(true);
    expect(both("?", "")).toBe(false);
    expect(both("a*", "")).toBe(false);
  });
  it("lets * alone match everything", () => {
    expect(both("*", "anything at all")).toBe(true);
    expect(both("*", "日本語")).toBe(true);
    expect(both("***", "x")).toBe(true);
  });
  it("lets * match any run, including an empty one", () => {
    expect(both("kworker/*", "kworker/0:1")).toBe(true);
    expect(both("kworker/*", "kworker/")).toBe(true);
    expect(both("kworker/*", "kworker")).toBe(false);
    expect(both("*-test", "api-test")).toBe(true);
    expect(both("*-test", "api-testing")).toBe(false);
    expect(both("*org.elasticsearch*", "java -cp x org.elasticsearch.bootstrap.Elasticsearch")).toBe(true);
    expect(both("*org.elasticsearch*", "java -cp x org.elastic")).toBe(false);
  });
  it("matches suffix and contains patterns like the general matcher", () => {
    expect(both("*-test", "-test")).toBe(true);
    expect(both("*-test", "test")).toBe(false);
    expect(both("*-test", "")).toBe(false);
    expect(both("*-debug", "api-debug")).toBe(true);
    expect(both("*-debug", "api-debux")).toBe(false);
    expect(both("*-debug", "api-debug-2")).toBe(false);
    expect(both("*java*", "java")).toBe(true);
    expect(both("*java*", "/usr/bin/java -jar x")).toBe(true);
    expect(both("*java*", "/usr/bin/jav")).toBe(false);
    expect(both("*java*", "jjava")).toBe(true);
    expect(both("*java*", "")).toBe(false);
    expect(both("*aab*", "aaab")).toBe(true);
    expect(both("*x*", "x")).toBe(true);
    expect(both("*x*", "y")).toBe(false);
    expect(both("k*", "")).toBe(false);
  });
  it("backtracks across several stars", () => {
    expect(both("a*b*c", "a-x-b-y-c")).toBe(true);
    expect(both("a*b*c", "abc")).toBe(true);
    expect(both("a*b*c", "a-x-c-y-b")).toBe(false);
    expect(both("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")).toBe(false);
    expect(both("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab")).toBe(true);
    expect(both("**x", "yyx")).toBe(true);
    expect(both("*ab*ab*", "xabyab")).toBe(true);
    expect(both("*ab*ab", "xabyabz")).toBe(false);
  });
  it("stays fast on patterns that are exponential for naive backtracking", () => {
    let name = "";
    for (let i = 0; i < 2000; i++) name += "a";
    let pattern = "";
    for (let i = 0; i < 30; i++) pattern += "*a";
    expect(both(pattern + "*b", name)).toBe(false);
    expect(both(pattern + "*", name)).toBe(true);
  });
  it("lets ? match one code point, multibyte included", () => {
    expect(both("php-fpm?", "php-fpm8")).toBe(true);
    expect(both("caf?", "café")).toBe(true);
    expect(both("caf??", "café")).toBe(false);
    expect(both("?-worker", "日-worker")).toBe(true);
    expect(both("??-worker", "日-worker")).toBe(false);
    expect(both("app-?", "app-😀")).toBe(true);
    expect(both("app-??", "app-😀")).toBe(false);
    expect(both("*?", "é")).toBe(true);
    expect(both("?*?", "é")).toBe(false);
  });
  it("matches multibyte literals byte for byte", () => {
    expect(both("*日本*", "app-日本-svc")).toBe(true);
    expect(both("*日本*", "app-日-本")).toBe(false);
    expect(both("café", "café")).toBe(true);
    expect(both("café", "cafe")).toBe(false);
    expect(both("*é", "résumé")).toBe(true);
  });
  it("copes with names that are not valid UTF-8", () => {
    const p = new Pattern("a?b");
    const name = bytes([0x61, 0x80, 0x80, 0x62]); // a, two stray continuation bytes, b
    expect(p.matches(changetype<usize>(name), name.byteLength)).toBe(true);
    const star = new Pattern("*b");
    expect(star.matches(changetype<usize>(name), name.byteLength)).toBe(true);
    const lone = bytes([0xc3]); // a lead byte with nothing after it
    expect(new Pattern("?").matches(changetype<usize>(lone), lone.byteLength)).toBe(true);
    expect(new Pattern("??").matches(changetype<usize>(lone), lone.byteLength)).toBe(false);
  });
  it("keeps the source and bytes of a compiled pattern", () => {
    const p = new Pattern("nginx*");
    expect(p.source).toBe("nginx*");
    expect(p.len).toBe(6);
  });
});

/** setMatches runs a PatternSet of the given globs on a name. */
function setMatches(globs: string[], name: string): bool {
  const set = new PatternSet();
  for (let i = 0; i < globs.length; i++) set.add(new Pattern(globs[i]));
  const n = String.UTF8.encode(name);
  return set.matches(changetype<usize>(n), n.byteLength);
}

const globs: string[] = ["kworker/*", "ksoftirqd/*", "rcu_*", "*-test", "?ystemd", "exact"];

describe("PatternSet", () => {
  it("matches when any pattern matches, whatever its first character", () => {
    expect(setMatches(globs, "kworker/0:1")).toBe(true);
    expect(setMatches(globs, "ksoftirqd/3")).toBe(true);
    expect(setMatches(globs, "rcu_sched")).toBe(true);
    expect(setMatches(globs, "api-test")).toBe(true);
    expect(setMatches(globs, "systemd")).toBe(true);
    expect(setMatches(globs, "exact")).toBe(true);
  });
  it("does not match what no pattern matches", () => {
    expect(setMatches(globs, "kthreadd")).toBe(false);
    expect(setMatches(globs, "exactly")).toBe(false);
    expect(setMatches(globs, "test")).toBe(false);
    expect(setMatches(globs, "")).toBe(false);
    expect(setMatches([], "anything")).toBe(false);
  });
  it("matches the empty name only with patterns that accept it", () => {
    expect(setMatches(["", "k*"], "")).toBe(true);
    expect(setMatches(["*"], "")).toBe(true);
    expect(setMatches(["?"], "")).toBe(false);
    expect(setMatches([""], "x")).toBe(false);
  });
});
