// The optimize module's config: bounding, scoring, degradation. Every key has a default, so `{}`
// is the balanced behaviour.
import { JsonKind, JsonValue } from "../lib/json";
import { checkKeys, index, join, parseConfigObject, typeError } from "../lib/config";
import { Pattern, PatternSet } from "../lib/glob";
import { TIER_UNSET, tierFromName } from "../lib/decisions";
import { Policy, parsePolicyValue } from "../lib/policy";

/** A degradation level: from `pressure` up, roll up what it says (levels add up). */
export class Level {
  pressure: f64 = 1;
  minScore: f64 = 0;
  keepFraction: f64 = 1;
  criticalOnly: bool = false;
}

export class Config {
  maxProcesses: i32 = 50;
  alwaysKeepTop: i32 = 5;
  exclude: PatternSet = new PatternSet();
  minCpu: f64 = 0;
  minMemoryBytes: f64 = 0;
  minAgeSeconds: f64 = 0;
  ewmaAlpha: f64 = 0.3;
  weightImportance: f64 = 0.4;
  weightCpu: f64 = 0.35;
  weightMemory: f64 = 0.25;
  hysteresis: f64 = 0.15;
  /** keepTiers[t] is true when tier code t is always kept. */
  keepTiers: StaticArray<bool> = new StaticArray<bool>(5);
  levels: Level[] = [];
  stateTtlSeconds: f64 = 600;
  /**
   * policy is classify's policy when the config embeds it (`classify: {...}`): the module then
   * classifies on its own columns instead of reading nrdot.tier/nrdot.score from an earlier
   * wasm/classify, which saves a second table and an attribute write on every resource.
   */
  policy: Policy | null = null;
  error: string = "";

  constructor() {
    this.keepTiers[1] = true; // critical
    this.keepTiers[2] = true; // important
  }
}

const KEYS: string[] = ["classify", "max_processes", "always_keep_top", "exclude", "min_cpu", "min_memory_mib", "min_age_seconds",
  "ewma_alpha", "weights", "hysteresis", "keep_tiers", "degradation", "state_ttl_seconds"];
const WEIGHT_KEYS: string[] = ["importance", "cpu", "memory"];
const LEVEL_KEYS: string[] = ["pressure", "min_score", "keep_fraction", "critical_only"];

/** number reads an optional number member within [lo, hi]; sets c.error on a bad value. */
function number(obj: JsonValue, key: string, path: string, lo: f64, hi: f64, dflt: f64, c: Config): f64 {
  const v = obj.get(key);
  if (v === null || c.error.length > 0) return dflt;
  if (v.kind != JsonKind.Number || !(v.num >= lo && v.num <= hi)) {
    c.error = join(path, key) + ": expected a number from " + fmt(lo) + " to " + fmt(hi);
    return dflt;
  }
  return v.num;
}

/** fmt prints whole numbers without AssemblyScript's trailing ".0". */
function fmt(v: f64): string {
  return v == Math.floor(v) && Math.abs(v) < 1e15 ? (<i64>v).toString() : v.toString();
}

function integer(obj: JsonValue, key: string, lo: i32, hi: i32, dflt: i32, c: Config): i32 {
  const v = obj.get(key);
  if (v === null || c.error.length > 0) return dflt;
  if (v.kind != JsonKind.Number || v.num != Math.floor(v.num) || v.num < <f64>lo || v.num > <f64>hi) {
    c.error = key + ": expected a whole number from " + lo.toString() + " to " + hi.toString();
    return dflt;
  }
  return <i32>v.num;
}

export function parseConfig(text: string): Config {
  const c = new Config();
  const parsed = parseConfigObject(text, KEYS);
  c.error = parsed.error;
  if (c.error.length > 0) return c;
  const root = parsed.value;
  c.maxProcesses = integer(root, "max_processes", 0, 1000000, c.maxProcesses, c);
  c.alwaysKeepTop = integer(root, "always_keep_top", 0, 100, c.alwaysKeepTop, c);
  c.minCpu = number(root, "min_cpu", "", 0, 1e6, c.minCpu, c);
  c.minMemoryBytes = number(root, "min_memory_mib", "", 0, 1e9, 0, c) * 1048576;
  c.minAgeSeconds = number(root, "min_age_seconds", "", 0, 1e9, c.minAgeSeconds, c);
  c.ewmaAlpha = number(root, "ewma_alpha", "", 0.01, 1, c.ewmaAlpha, c);
  c.hysteresis = number(root, "hysteresis", "", 0, 10, c.hysteresis, c);
  c.stateTtlSeconds = number(root, "state_ttl_seconds", "", 1, 1e9, c.stateTtlSeconds, c);
  if (c.error.length > 0) return c;

  const cl = root.get("classify");
  if (cl !== null) {
    const policy = parsePolicyValue(cl, "classify");
    if (policy.error.length > 0) {
      c.error = policy.error;
      return c;
    }
    c.policy = policy;
  }
  const ex = root.get("exclude");
  if (ex !== null) {
    if (ex.kind != JsonKind.Array) {
      c.error = typeError("exclude", "an array of globs", ex);
      return c;
    }
    for (let i = 0; i < ex.items.length; i++) {
      const g = ex.items[i];
      if (g.kind != JsonKind.String) {
        c.error = typeError(index("exclude", i), "a glob string", g);
        return c;
      }
      c.exclude.add(new Pattern(g.str));
    }
  }
  const w = root.get("weights");
  if (w !== null) {
    if (w.kind != JsonKind.Object) {
      c.error = typeError("weights", "an object", w);
      return c;
    }
    c.error = checkKeys(w, "weights", WEIGHT_KEYS);
    c.weightImportance = number(w, "importance", "weights", 0, 1, c.weightImportance, c);
    c.weightCpu = number(w, "cpu", "weights", 0, 1, c.weightCpu, c);
    c.weightMemory = number(w, "memory", "weights", 0, 1, c.weightMemory, c);
    if (c.error.length > 0) return c;
  }
  const kt = root.get("keep_tiers");
  if (kt !== null) {
    if (kt.kind != JsonKind.Array) {
      c.error = typeError("keep_tiers", "an array of tier names", kt);
      return c;
    }
    for (let t = 0; t < 5; t++) c.keepTiers[t] = false;
    for (let i = 0; i < kt.items.length; i++) {
      const v = kt.items[i];
      const tier = v.kind == JsonKind.String ? tierFromName(v.str) : TIER_UNSET;
      if (tier == TIER_UNSET) {
        c.error = index("keep_tiers", i) + ": expected one of critical, important, standard, sampled";
        return c;
      }
      c.keepTiers[tier] = true;
    }
  }
  const dg = root.get("degradation");
  if (dg !== null) {
    if (dg.kind != JsonKind.Array) {
      c.error = typeError("degradation", "an array of levels", dg);
      return c;
    }
    for (let i = 0; i < dg.items.length; i++) {
      const v = dg.items[i];
      const path = index("degradation", i);
      if (v.kind != JsonKind.Object) {
        c.error = typeError(path, "an object", v);
        return c;
      }
      c.error = checkKeys(v, path, LEVEL_KEYS);
      if (c.error.length > 0) return c;
      if (v.get("pressure") === null) {
        c.error = join(path, "pressure") + ": missing; the memory pressure (0 to 1) from which the level applies";
        return c;
      }
      const l = new Level();
      l.pressure = number(v, "pressure", path, 0, 1, 1, c);
      l.minScore = number(v, "min_score", path, 0, 1, 0, c);
      l.keepFraction = number(v, "keep_fraction", path, 0, 1, 1, c);
      const co = v.get("critical_only");
      if (co !== null) {
        if (co.kind != JsonKind.Bool) c.error = typeError(join(path, "critical_only"), "true or false", co);
        else l.criticalOnly = co.bool;
      }
      if (c.error.length > 0) return c;
      c.levels.push(l);
    }
  } else {
    c.levels = defaultLevels();
  }
  return c;
}

/** defaultLevels: 60% → roll up score < 0.3, 70% → < 0.6, 80% → keep half the rest, 90% → critical only. */
export function defaultLevels(): Level[] {
  const out: Level[] = [];
  const p: f64[] = [0.6, 0.7, 0.8, 0.9];
  for (let i = 0; i < 4; i++) {
    const l = new Level();
    l.pressure = p[i];
    if (i == 0) l.minScore = 0.3;
    if (i == 1) l.minScore = 0.6;
    if (i == 2) l.keepFraction = 0.5;
    if (i == 3) l.criticalOnly = true;
    out.push(l);
  }
  return out;
}
