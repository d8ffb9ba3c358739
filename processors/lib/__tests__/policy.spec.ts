import { parsePolicy, Policy } from "../policy";
import { CATALOG } from "../catalog";
import { TIER_CRITICAL, TIER_IMPORTANT, TIER_SAMPLED, TIER_STANDARD } from "../decisions";

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

/** hitOf returns the index of the rule that policy applies to the row (-1: the default tier). */
function hitOf(p: Policy, exe: string, cmd: string, owner: string): i32 {
  const r = new Row(exe, cmd, owner);
  return p.classify(changetype<usize>(r.exe), r.exe.byteLength, changetype<usize>(r.cmd), r.cmd.byteLength,
    changetype<usize>(r.owner), r.owner.byteLength);
}

/** tierOf returns the tier policy gives the row. */
function tierOf(p: Policy, exe: string, cmd: string = "", owner: string = ""): u8 {
  const hit = hitOf(p, exe, cmd, owner);
  return hit < 0 ? p.defaultTier : p.rules[hit].tier;
}

/** scoreOf returns the score policy gives the row. */
function scoreOf(p: Policy, exe: string, cmd: string = "", owner: string = ""): f64 {
  const hit = hitOf(p, exe, cmd, owner);
  return hit < 0 ? p.defaultScore : p.rules[hit].score;
}

function ok(config: string): Policy {
  const p = parsePolicy(config);
  if (p.error.length > 0) throw new Error("config refused: " + p.error);
  return p;
}

// A global, because AssemblyScript closures cannot capture locals.
const p = parsePolicy("{}");

describe("classify catalog", () => {
  it("parses the defaults, every catalog entry included", () => {
    expect(p.error).toBe("");
    expect(p.rules.length).toBe(CATALOG.length);
    expect(p.defaultTier).toBe(TIER_STANDARD);
    expect(parsePolicy("").error).toBe("");
  });
  it("makes databases, caches and queues critical", () => {
    expect(tierOf(p, "postgres")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "postmaster")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "mysqld")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "mariadbd")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "mongod")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "redis-server")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "valkey-server")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "memcached")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "etcd")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "clickhouse-server")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "clickhouse-serv")).toBe(TIER_CRITICAL);
    expect(scoreOf(p, "postgres")).toBe(1.0);
  });
  it("recognises JVM and Erlang services by their command line", () => {
    expect(tierOf(p, "java", "java -Xmx4g org.elasticsearch.bootstrap.Elasticsearch")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "java", "java -cp /opt/kafka/libs/* kafka.Kafka config/server.properties")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "java", "java org.apache.zookeeper.server.quorum.QuorumPeerMain zoo.cfg")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "java", "java org.apache.cassandra.service.CassandraDaemon")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "beam.smp", "beam.smp -- -root /usr/lib/erlang -- -s rabbit boot")).toBe(TIER_CRITICAL);
    expect(tierOf(p, "beam.smp", "beam.smp -- -root /usr/lib/erlang -- -s elixir")).toBe(TIER_STANDARD);
    expect(tierOf(p, "java", "java -jar app.jar")).toBe(TIER_STANDARD);
  });
  it("makes web servers, proxies and node agents important", () => {
    expect(tierOf(p, "nginx")).toBe(TIER_IMPORTANT);
    expect(tierOf(p, "haproxy")).toBe(TIER_IMPORTANT);
    expect(tierOf(p, "envoy")).toBe(TIER_IMPORTANT);
    expect(tierOf(p, "kubelet")).toBe(TIER_IMPORTANT);
    expect(tierOf(p, "containerd")).toBe(TIER_IMPORTANT);
    expect(tierOf(p, "otelcol-contrib")).toBe(TIER_IMPORTANT);
    expect(tierOf(p, "sshd")).toBe(TIER_IMPORTANT);
    expect(tierOf(p, "systemd")).toBe(TIER_IMPORTANT);
    expect(scoreOf(p, "nginx")).toBe(0.8);
  });
  it("keeps one containerd shim per container standard", () => {
    expect(tierOf(p, "containerd-shim-runc-v2")).toBe(TIER_STANDARD);
  });
  it("makes runtimes standard", () => {
    expect(tierOf(p, "python3")).toBe(TIER_STANDARD);
    expect(tierOf(p, "python3.12")).toBe(TIER_STANDARD);
    expect(tierOf(p, "node")).toBe(TIER_STANDARD);
    expect(tierOf(p, "php-fpm8.2")).toBe(TIER_STANDARD);
    expect(scoreOf(p, "python3")).toBe(0.5);
  });
  it("makes kernel threads sampled", () => {
    expect(tierOf(p, "kworker/0:1")).toBe(TIER_SAMPLED);
    expect(tierOf(p, "kworker/u16:3-events_unbound")).toBe(TIER_SAMPLED);
    expect(tierOf(p, "ksoftirqd/3")).toBe(TIER_SAMPLED);
    expect(tierOf(p, "migration/0")).toBe(TIER_SAMPLED);
    expect(tierOf(p, "rcu_sched")).toBe(TIER_SAMPLED);
    expect(tierOf(p, "kthreadd")).toBe(TIER_SAMPLED);
    expect(scoreOf(p, "kworker/0:1")).toBe(0.2);
  });
  it("gives unknown names the default tier", () => {
    expect(tierOf(p, "foo")).toBe(TIER_STANDARD);
    expect(tierOf(p, "my-app")).toBe(TIER_STANDARD);
    expect(tierOf(p, "")).toBe(TIER_STANDARD);
    expect(tierOf(p, "Postgres")).toBe(TIER_STANDARD); // case-sensitive
    expect(tierOf(p, "postgres2")).toBe(TIER_STANDARD);
    expect(scoreOf(p, "my-app")).toBe(0.5);
    expect(hitOf(p, "foo", "", "")).toBe(-1);
  });
});

describe("classify rules", () => {
  it("puts user rules before the catalog; first match wins", () => {
    const q = ok('{"rules": [{"executable": "nginx", "tier": "sampled"}, {"executable": "ngin*", "tier": "critical"}]}');
    expect(tierOf(q, "nginx")).toBe(TIER_SAMPLED);
    expect(tierOf(q, "nginx-debug")).toBe(TIER_CRITICAL);
    expect(tierOf(q, "postgres")).toBe(TIER_CRITICAL); // the catalog still applies after them
    expect(tierOf(q, "haproxy")).toBe(TIER_IMPORTANT);
  });
  it("lets a rule without an executable glob override the catalog", () => {
    const q = ok('{"rules": [{"owner": "batch", "tier": "sampled"}]}');
    expect(tierOf(q, "postgres", "postgres", "batch")).toBe(TIER_SAMPLED);
    expect(tierOf(q, "postgres", "postgres", "postgres")).toBe(TIER_CRITICAL);
  });
  it("matches command line and owner, all given globs together", () => {
    const q = ok('{"rules": [{"command_line": "*--role=billing*", "owner": "svc-*", "tier": "critical", "score": 0.95}]}');
    expect(tierOf(q, "app", "app --role=billing", "svc-pay")).toBe(TIER_CRITICAL);
    expect(scoreOf(q, "app", "app --role=billing", "svc-pay")).toBe(0.95);
    expect(tierOf(q, "app", "app --role=billing", "root")).toBe(TIER_STANDARD);
    expect(tierOf(q, "app", "app --role=web", "svc-pay")).toBe(TIER_STANDARD);
  });
  it("matches an owner-only and a command-line-only rule", () => {
    const q = ok('{"catalog": false, "rules": [{"owner": "www-data", "tier": "important"}, {"command_line": "* --batch*", "tier": "sampled"}]}');
    expect(tierOf(q, "anything", "", "www-data")).toBe(TIER_IMPORTANT);
    expect(tierOf(q, "job", "job --batch=7", "root")).toBe(TIER_SAMPLED);
    expect(tierOf(q, "job", "job", "root")).toBe(TIER_STANDARD);
  });
  it("takes a rule's score over its tier's", () => {
    const q = ok('{"rules": [{"executable": "a", "tier": "sampled", "score": 0}, {"executable": "b", "tier": "sampled", "score": 1}, {"executable": "c", "tier": "important"}]}');
    expect(scoreOf(q, "a")).toBe(0.0);
    expect(scoreOf(q, "b")).toBe(1.0);
    expect(scoreOf(q, "c")).toBe(0.8);
  });
  it("matches multibyte names", () => {
    const q = ok('{"rules": [{"executable": "データ?", "tier": "critical"}, {"executable": "\\u00e9*", "tier": "sampled"}]}');
    expect(tierOf(q, "データ1")).toBe(TIER_CRITICAL);
    expect(tierOf(q, "データ")).toBe(TIER_STANDARD);
    expect(tierOf(q, "étoile")).toBe(TIER_SAMPLED);
  });
  it("can turn the catalog off and change the default tier", () => {
    const q = ok('{"catalog": false, "default_tier": "sampled"}');
    expect(q.rules.length).toBe(0);
    expect(tierOf(q, "postgres")).toBe(TIER_SAMPLED);
    expect(scoreOf(q, "postgres")).toBe(0.2);
    const r = ok('{"catalog": false, "rules": [{"executable": "postgres", "tier": "important"}]}');
    expect(r.rules.length).toBe(1);
    expect(tierOf(r, "postgres")).toBe(TIER_IMPORTANT);
    expect(tierOf(r, "mysqld")).toBe(TIER_STANDARD);
    const s = ok('{"default_tier": "critical"}');
    expect(tierOf(s, "unknown-daemon")).toBe(TIER_CRITICAL);
    expect(scoreOf(s, "unknown-daemon")).toBe(1.0);
    expect(tierOf(s, "kworker/1:0")).toBe(TIER_SAMPLED);
  });
});

describe("classify config errors", () => {
  it("names an unknown key with a suggestion", () => {
    expect(parsePolicy('{"rulez": []}').error).toBe("rulez: unknown key (known: rules, default_tier, catalog); did you mean `rules`?");
    expect(parsePolicy('{"action": "drop"}').error).toBe("action: unknown key (known: rules, default_tier, catalog)");
    expect(parsePolicy('{"rules": [{"exe": "x", "tier": "critical"}]}').error)
      .toBe("rules[0].exe: unknown key (known: executable, command_line, owner, tier, score)");
    expect(parsePolicy('{"rules": [{"executable": "x", "tier": "critical"}, {"executable": "y", "tierr": "critical"}]}').error)
      .toBe("rules[1].tierr: unknown key (known: executable, command_line, owner, tier, score); did you mean `tier`?");
  });
  it("names a bad tier", () => {
    expect(parsePolicy('{"rules": [{"executable": "x", "tier": "gold"}]}').error)
      .toBe('rules[0].tier: "gold" is not a tier; expected one of critical, important, standard, sampled');
    expect(parsePolicy('{"rules": [{"executable": "x", "tier": "critical"}, {"executable": "y", "tier": "critical"}, {"executable": "z", "tier": 1}]}').error)
      .toBe("rules[2].tier: expected one of critical, important, standard, sampled, got a number");
    expect(parsePolicy('{"default_tier": 3}').error)
      .toBe("default_tier: expected one of critical, important, standard, sampled, got a number");
    expect(parsePolicy('{"default_tier": "unset"}').error)
      .toBe('default_tier: "unset" is not a tier; expected one of critical, important, standard, sampled');
  });
  it("refuses rules without a glob, without a tier, or with a bad score", () => {
    expect(parsePolicy('{"rules": [{"tier": "critical"}]}').error)
      .toBe("rules[0]: a rule needs at least one of executable, command_line, owner");
    expect(parsePolicy('{"rules": [{"executable": "x"}]}').error)
      .toBe("rules[0].tier: missing; expected one of critical, important, standard, sampled");
    expect(parsePolicy('{"rules": [{"executable": "x", "tier": "critical", "score": 2}]}').error)
      .toBe("rules[0].score: expected a number from 0 to 1");
    expect(parsePolicy('{"rules": [{"executable": "x", "tier": "critical", "score": -0.1}]}').error)
      .toBe("rules[0].score: expected a number from 0 to 1");
    expect(parsePolicy('{"rules": [{"executable": "x", "tier": "critical", "score": "high"}]}').error)
      .toBe("rules[0].score: expected a number from 0 to 1");
    expect(parsePolicy('{"rules": [{"executable": 5, "tier": "critical"}]}').error)
      .toBe("rules[0].executable: expected a glob string, got a number");
  });
  it("refuses wrong types and broken JSON", () => {
    expect(parsePolicy('{"rules": {}}').error).toBe("rules: expected an array, got an object");
    expect(parsePolicy('{"rules": ["nginx"]}').error).toBe("rules[0]: expected an object, got a string");
    expect(parsePolicy('{"catalog": "no"}').error).toBe("catalog: expected true or false, got a string");
    expect(parsePolicy("[]").error).toBe("config: expected an object, got an array");
    expect(parsePolicy("{").error.startsWith("config: invalid JSON at offset")).toBe(true);
    expect(parsePolicy('{"rules": [{"tier": "critical",}]}').error)
      .toBe("config: invalid JSON at offset 31 (rules[0]): expected a key string");
  });
});
