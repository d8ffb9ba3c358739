import { parsePolicy, Policy } from "../policy";
import { TIER_CRITICAL, TIER_IMPORTANT, TIER_SAMPLED, TIER_STANDARD } from "../../lib/decisions";

class Row {
  exe: ArrayBuffer;
  cmd: ArrayBuffer;
  owner: ArrayBuffer;
  constructor(exe: string, cmd: string = "", owner: string = "") {
    this.exe = String.UTF8.encode(exe);
    this.cmd = String.UTF8.encode(cmd);
    this.owner = String.UTF8.encode(owner);
  }
}

/** tierOf returns the tier policy gives the row (-1 = default tier) and its score. */
function tierOf(p: Policy, exe: string, cmd: string = "", owner: string = ""): u8 {
  const r = new Row(exe, cmd, owner);
  const hit = p.classify(changetype<usize>(r.exe), r.exe.byteLength, changetype<usize>(r.cmd), r.cmd.byteLength,
    changetype<usize>(r.owner), r.owner.byteLength);
  return hit < 0 ? p.defaultTier : p.rules[hit].tier;
}

function scoreOf(p: Policy, exe: string, cmd: string = "", owner: string = ""): f64 {
  const r = new Row(exe, cmd, owner);
  const hit = p.classify(changetype<usize>(r.exe), r.exe.byteLength, changetype<usize>(r.cmd), r.cmd.byteLength,
    changetype<usize>(r.owner), r.owner.byteLength);
  return hit < 0 ? p.defaultScore : p.rules[hit].score;
}

// A global, because AssemblyScript closures cannot capture locals.
const p = parsePolicy("{}");

describe("classify catalog", () => {
  it("parses the defaults", () => {
    expect(p.error).toBe("");
  });
  it("makes databases and caches critical", () => {
    expect(tierOf(p, "postgres")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "mysqld")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "redis-server")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "java", "java -Xmx4g org.elasticsearch.bootstrap.Elasticsearch")).toBe(TIER_CRITICAL);
    expect(scoreOf(p, "postgres")).toBe(1.0);
  });
  it("makes web servers, proxies and node agents important", () => {
    expect(tierOf(p, "nginx")).toBe(TIER_IMPORTANT);
    expect(tierOf(p, "kubelet")).toBe(TIER_IMPORTANT);
    expect(tierOf(p, "containerd")).toBe(TIER_IMPORTANT);
    expect(tierOf(p, "containerd-shim-runc-v2")).toBe(TIER_STANDARD);
    expect(scoreOf(p, "nginx")).toBe(0.8);
  });
  it("makes runtimes standard and kernel threads sampled", () => {
    expect(tierOf(p, "python3")).toBe(TIER_STANDARD);
    expect(tierOf(p, "java", "java -jar app.jar")).toBe(TIER_STANDARD);
    expect(tierOf(p, "kworker/0:1")).toBe(TIER_SAMPLED);
    expect(tierOf(p, "ksoftirqd/3")).toBe(TIER_SAMPLED);
    expect(scoreOf(p, "kworker/0:1")).toBe(0.2);
  });
  it("gives unknown names the default tier", () => {
    expect(tierOf(p, "my-app")).toBe(TIER_STANDARD);
    expect(tierOf(p, "")).toBe(TIER_STANDARD);
    expect(scoreOf(p, "my-app")).toBe(0.5);
  });
});

describe("classify rules", () => {
  it("puts user rules before the catalog; first match wins", () => {
    const q = parsePolicy('{"rules": [{"executable": "nginx", "tier": "sampled"}, {"executable": "ngin*", "tier": "critical"}]}');
    expect(q.error).toBe("");
    expect(tierOf(q, "nginx")).toBe(TIER_SAMPLED);
    expect(tierOf(q, "nginx-debug")).toBe(TIER_CRITICAL);
  });
  it("matches command line and owner, all given globs together", () => {
    const q = parsePolicy('{"rules": [{"command_line": "*--role=billing*", "owner": "svc-*", "tier": "critical", "score": 0.95}]}');
    expect(tierOf(q, "app", "app --role=billing", "svc-pay")).toBe(TIER_CRITICAL);
    expect(scoreOf(q, "app", "app --role=billing", "svc-pay")).toBe(0.95);
    expect(tierOf(q, "app", "app --role=billing", "root")).toBe(TIER_STANDARD);
  });
  it("can turn the catalog off and change the default tier", () => {
    const q = parsePolicy('{"catalog": false, "default_tier": "sampled"}');
    expect(q.error).toBe("");
    expect(q.rules.length).toBe(0);
    expect(tierOf(q, "postgres")).toBe(TIER_SAMPLED);
    expect(scoreOf(q, "postgres")).toBe(0.2);
  });
});

describe("classify config errors", () => {
  it("names an unknown key with a suggestion", () => {
    expect(parsePolicy('{"rulez": []}').error).toBe("rulez: unknown key (known: rules, default_tier, catalog); did you mean `rules`?");
    expect(parsePolicy('{"rules": [{"exe": "x", "tier": "critical"}]}').error)
      .toBe("rules[0].exe: unknown key (known: executable, command_line, owner, tier, score)");
  });
  it("names a bad tier", () => {
    expect(parsePolicy('{"rules": [{"executable": "x", "tier": "gold"}]}').error)
      .toBe('rules[0].tier: "gold" is not a tier; expected one of critical, important, standard, sampled');
    expect(parsePolicy('{"default_tier": 3}').error)
      .toBe("default_tier: expected one of critical, important, standard, sampled, got a number");
  });
  it("refuses rules without a glob, without a tier, or with a bad score", () => {
    expect(parsePolicy('{"rules": [{"tier": "critical"}]}').error)
      .toBe("rules[0]: a rule needs at least one of executable, command_line, owner");
    expect(parsePolicy('{"rules": [{"executable": "x"}]}').error)
      .toBe("rules[0].tier: missing; expected one of critical, important, standard, sampled");
    expect(parsePolicy('{"rules": [{"executable": "x", "tier": "critical", "score": 2}]}').error)
      .toBe("rules[0].score: expected a number from 0 to 1");
  });
  it("refuses wrong types and broken JSON", () => {
    expect(parsePolicy('{"rules": {}}').error).toBe("rules: expected an array, got an object");
    expect(parsePolicy('{"catalog": "no"}').error).toBe("catalog: expected true or false, got a string");
    expect(parsePolicy("[]").error).toBe("config: expected an object, got an array");
    expect(parsePolicy("{").error.startsWith("config: invalid JSON at offset")).toBe(true);
  });
});
