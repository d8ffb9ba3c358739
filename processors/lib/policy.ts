// Classification policy: rules (user rules first, then the catalog) matched on the executable
// name, command line and owner; first match wins, otherwise the default tier. classify applies
// it on its own; optimize embeds it under its `classify` key, so it lives here, not in either.
import { JsonKind, JsonValue } from "./json";
import { checkKeys, index, join, parseConfigObject, typeError } from "./config";
import { Pattern } from "./glob";
import { TIER_NAMES, TIER_STANDARD, TIER_UNSET, tierFromName, tierScore } from "./decisions";
import { CATALOG } from "./catalog";

export class Rule {
  executable: Pattern | null = null;
  commandLine: Pattern | null = null;
  owner: Pattern | null = null;
  tier: u8 = TIER_STANDARD;
  score: f64 = 0.5;

  /** matches tests the rule's globs against one row's UTF-8 fields; every given glob must match. */
  @inline matches(exe: usize, exeLen: i32, cmd: usize, cmdLen: i32, owner: usize, ownerLen: i32): bool {
    if (this.executable !== null && !this.executable!.matches(exe, exeLen)) return false;
    if (this.commandLine !== null && !this.commandLine!.matches(cmd, cmdLen)) return false;
    if (this.owner !== null && !this.owner!.matches(owner, ownerLen)) return false;
    return true;
  }
}

const EMPTY_BUCKET = 256;

export class Policy {
  rules: Rule[] = [];
  defaultTier: u8 = TIER_STANDARD;
  /** defaultScore is the importance of a process no rule matches. */
  get defaultScore(): f64 {
    return tierScore(this.defaultTier);
  }
  /** error is "" after a successful parse, else the message naming the key. */
  error: string = "";
  /**
   * buckets[b] lists, in rule order, the rules that can match an executable name whose first
   * byte is b (bucket 256: the empty name). Most catalog rules start with a literal, so a row
   * tries a handful of rules instead of all of them; first-match-wins order is kept.
   */
  buckets: Array<Int32Array> = [];

  /** index builds the buckets; call it once the rules are final. */
  index(): void {
    this.buckets = new Array<Int32Array>(EMPTY_BUCKET + 1);
    for (let b = 0; b <= EMPTY_BUCKET; b++) {
      const hits = new Array<i32>();
      for (let i = 0; i < this.rules.length; i++) {
        if (canStartWith(this.rules[i].executable, b)) hits.push(i);
      }
      const arr = new Int32Array(hits.length);
      for (let j = 0; j < hits.length; j++) arr[j] = hits[j];
      this.buckets[b] = arr;
    }
  }

  /** classify returns the index of the first matching rule, or -1 for the default tier. */
  classify(exe: usize, exeLen: i32, cmd: usize, cmdLen: i32, owner: usize, ownerLen: i32): i32 {
    const rules = this.rules;
    const bucket = unchecked(this.buckets[exeLen > 0 ? <i32>load<u8>(exe) : EMPTY_BUCKET]);
    for (let j = 0, n = bucket.length; j < n; j++) {
      const i = unchecked(bucket[j]);
      if (unchecked(rules[i]).matches(exe, exeLen, cmd, cmdLen, owner, ownerLen)) return i;
    }
    return -1;
  }
}

/** canStartWith reports whether an executable glob can match a name starting with byte b. */
function canStartWith(p: Pattern | null, b: i32): bool {
  if (p === null) return true;
  if (p.len == 0) return b == EMPTY_BUCKET;
  const first = <i32>load<u8>(p.ptr);
  if (first == 0x2a) return true; // *
  if (first == 0x3f) return b != EMPTY_BUCKET; // ? needs one character
  return first == b;
}

const TOP_KEYS: string[] = ["rules", "default_tier", "catalog"];
const RULE_KEYS: string[] = ["executable", "command_line", "owner", "tier", "score"];

/** parsePolicy builds a Policy from the config JSON text; check policy.error. */
export function parsePolicy(text: string): Policy {
  const parsed = parseConfigObject(text, TOP_KEYS);
  if (parsed.error.length > 0) {
    const policy = new Policy();
    policy.error = parsed.error;
    return policy;
  }
  return parsePolicyValue(parsed.value, "");
}

/**
 * parsePolicyValue builds a Policy from a config object found at key path `at` ("" for the top;
 * "classify" when another module embeds classify's config), so errors name the full path.
 */
export function parsePolicyValue(root: JsonValue, at: string): Policy {
  const policy = new Policy();
  if (root.kind != JsonKind.Object) {
    policy.error = typeError(at.length > 0 ? at : "config", "an object", root);
    return policy;
  }
  policy.error = checkKeys(root, at, TOP_KEYS);
  if (policy.error.length > 0) return policy;

  const dt = root.get("default_tier");
  if (dt !== null) {
    const tier = parseTier(dt, join(at, "default_tier"), policy);
    if (tier == TIER_UNSET) return policy;
    policy.defaultTier = tier;
  }
  const rules = root.get("rules");
  if (rules !== null) {
    if (rules.kind != JsonKind.Array) {
      policy.error = typeError(join(at, "rules"), "an array", rules);
      return policy;
    }
    for (let i = 0; i < rules.items.length; i++) {
      const rule = parseRule(rules.items[i], index(join(at, "rules"), i), policy);
      if (rule === null) return policy;
      policy.rules.push(rule);
    }
  }
  let useCatalog = true;
  const cat = root.get("catalog");
  if (cat !== null) {
    if (cat.kind != JsonKind.Bool) {
      policy.error = typeError(join(at, "catalog"), "true or false", cat);
      return policy;
    }
    useCatalog = cat.bool;
  }
  if (useCatalog) {
    appendCatalog(policy);
    if (policy.error.length > 0) return policy;
  }
  policy.index();
  return policy;
}

function parseTier(v: JsonValue, path: string, policy: Policy): u8 {
  if (v.kind != JsonKind.String) {
    policy.error = typeError(path, "one of " + TIER_NAMES, v);
    return TIER_UNSET;
  }
  const tier = tierFromName(v.str);
  if (tier == TIER_UNSET) policy.error = path + ": \"" + v.str + "\" is not a tier; expected one of " + TIER_NAMES;
  return tier;
}

function parseGlob(obj: JsonValue, key: string, path: string, policy: Policy): Pattern | null {
  const v = obj.get(key);
  if (v === null) return null;
  if (v.kind != JsonKind.String) {
    policy.error = typeError(join(path, key), "a glob string", v);
    return null;
  }
  return new Pattern(v.str);
}

function parseRule(v: JsonValue, path: string, policy: Policy): Rule | null {
  if (v.kind != JsonKind.Object) {
    policy.error = typeError(path, "an object", v);
    return null;
  }
  policy.error = checkKeys(v, path, RULE_KEYS);
  if (policy.error.length > 0) return null;
  const rule = new Rule();
  rule.executable = parseGlob(v, "executable", path, policy);
  rule.commandLine = parseGlob(v, "command_line", path, policy);
  rule.owner = parseGlob(v, "owner", path, policy);
  if (policy.error.length > 0) return null;
  if (rule.executable === null && rule.commandLine === null && rule.owner === null) {
    policy.error = path + ": a rule needs at least one of executable, command_line, owner";
    return null;
  }
  const t = v.get("tier");
  if (t === null) {
    policy.error = join(path, "tier") + ": missing; expected one of " + TIER_NAMES;
    return null;
  }
  rule.tier = parseTier(t, join(path, "tier"), policy);
  if (rule.tier == TIER_UNSET) return null;
  rule.score = tierScore(rule.tier);
  const s = v.get("score");
  if (s !== null) {
    if (s.kind != JsonKind.Number || !(s.num >= 0 && s.num <= 1)) {
      policy.error = join(path, "score") + ": expected a number from 0 to 1";
      return null;
    }
    rule.score = s.num;
  }
  return rule;
}

/**
 * appendCatalog appends the built-in catalog's rules. Its entries are data ("<field> <glob> …
 * <tier>"); a malformed one is reported like a config error (the tests parse the catalog).
 */
function appendCatalog(policy: Policy): void {
  for (let i = 0; i < CATALOG.length; i++) {
    const parts = CATALOG[i].split(" ");
    const rule = new Rule();
    let ok = parts.length >= 3 && parts.length % 2 == 1;
    for (let f = 0; ok && f + 1 < parts.length; f += 2) {
      const p = new Pattern(parts[f + 1]);
      const field = parts[f];
      if (field == "exe") rule.executable = p;
      else if (field == "cmd") rule.commandLine = p;
      else if (field == "owner") rule.owner = p;
      else ok = false;
    }
    rule.tier = ok ? tierFromName(parts[parts.length - 1]) : TIER_UNSET;
    if (rule.tier == TIER_UNSET) {
      policy.error = "catalog entry " + i.toString() + " (\"" + CATALOG[i] + "\"): expected <exe|cmd|owner> <glob> … <tier>";
      return;
    }
    rule.score = tierScore(rule.tier);
    policy.rules.push(rule);
  }
}
