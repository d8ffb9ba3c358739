// One batch of the optimizer: smooth each process's CPU and memory, score it, keep the protected
// tiers and this interval's top consumers, keep the best `max_processes` of the rest (incumbents
// get a hysteresis bonus), roll up everything else, then degrade under memory pressure.
import { Table } from "../lib/table";
import { mix64, parseDecimal, parseUint } from "../lib/number";
import {
  ACTION_KEEP, ACTION_ROLLUP, TIER_CRITICAL, TIER_STANDARD, TIER_UNSET, beginDecisions, decide, tierFromBytes, tierScore,
} from "../lib/decisions";
import { GAUGE_DEGRADATION_LEVEL, reportGauge } from "../lib/host";
import { Config, Level } from "./config";
import { State, identity } from "./state";

// Column order of nrdot_columns (index.ts). String columns 2 and 3 are nrdot.tier and
// nrdot.score written by an earlier wasm/classify, or, with classify embedded, the command line
// and the owner that the policy matches.
const METRIC_COLUMNS = "metric process.cpu.time sum\nmetric process.cpu.time start_time\nmetric process.cpu.time time\n" +
  "metric process.memory.usage sum\nmetric process.memory.usage time\nmetric process.uptime max\n";
export const COLUMNS = "attr process.pid\nattr process.executable.name\nattr nrdot.tier\nattr nrdot.score\n" + METRIC_COLUMNS;
export const COLUMNS_EMBEDDED = "attr process.pid\nattr process.executable.name\nattr process.command_line\nattr process.owner\n" + METRIC_COLUMNS;
export const STR_COLS = 4;
export const NUM_COLS = 6;
const S_PID = 0, S_EXE = 1, S_TIER = 2, S_SCORE = 3, S_CMD = 2, S_OWNER = 3;

/** columnsFor is the declaration for a config: with or without classify embedded. */
export function columnsFor(c: Config): string {
  return c.policy !== null ? COLUMNS_EMBEDDED : COLUMNS;
}
const N_CPU = 0, N_CPU_START = 1, N_CPU_TIME = 2, N_MEM = 3, N_MEM_TIME = 4, N_UPTIME = 5;

// Row classes.
const PASS: u8 = 0; // not a process (no pid): left as it is
const CANDIDATE: u8 = 1;
const KEEP_PROTECTED: u8 = 2;
const KEEP_TOP: u8 = 3;
const KEEP_RANKED: u8 = 4;
const ROLLUP: u8 = 5;

// Scratch, grown to the largest batch seen and reused: nothing is allocated per row.
let cap = 0;
let slots = new StaticArray<i32>(0);
let cpuNow = new StaticArray<f64>(0);
let memNow = new StaticArray<f64>(0);
let scores = new StaticArray<f64>(0);
let ranks = new StaticArray<f64>(0);
let sel = new StaticArray<f64>(0);
let tiers = new StaticArray<u8>(0);
let classes = new StaticArray<u8>(0);
let keys = new StaticArray<u64>(0);
let topCpu = new StaticArray<i32>(100);
let topMem = new StaticArray<i32>(100);

function grow(rows: i32): void {
  if (rows <= cap) return;
  cap = max(rows, cap * 2);
  slots = new StaticArray<i32>(cap);
  cpuNow = new StaticArray<f64>(cap);
  memNow = new StaticArray<f64>(cap);
  scores = new StaticArray<f64>(cap);
  ranks = new StaticArray<f64>(cap);
  sel = new StaticArray<f64>(cap);
  tiers = new StaticArray<u8>(cap);
  classes = new StaticArray<u8>(cap);
  keys = new StaticArray<u64>(cap);
}

/** insertTop keeps top[0..n) as the indices of the n largest values seen, largest first. */
function insertTop(top: StaticArray<i32>, n: i32, filled: i32, values: StaticArray<f64>, r: i32): i32 {
  const v = unchecked(values[r]);
  let i = filled < n ? filled : n;
  if (i == n && (n == 0 || v <= unchecked(values[unchecked(top[n - 1])]))) return filled;
  if (i == n) i--;
  while (i > 0 && unchecked(values[unchecked(top[i - 1])]) < v) {
    unchecked(top[i] = top[i - 1]);
    i--;
  }
  unchecked(top[i] = r);
  return filled < n ? filled + 1 : n;
}

/** kthLargest returns the k-th largest (0-based) of a[0..n), reordering a (quickselect). */
export function kthLargest(a: StaticArray<f64>, n: i32, k: i32): f64 {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = unchecked(a[(lo + hi) >>> 1]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (unchecked(a[i]) > pivot) i++;
      while (unchecked(a[j]) < pivot) j--;
      if (i <= j) {
        const t = unchecked(a[i]);
        unchecked(a[i] = a[j]);
        unchecked(a[j] = t);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return unchecked(a[k]);
}

@inline function finiteOr(v: f64, d: f64): f64 {
  return isFinite(v) ? v : d;
}

/**
 * degradationLevel is the level in force at pressure: 0 when none is reached, else index + 1 of
 * the highest level reached (the one with the highest `pressure`; of equal ones, the last).
 */
export function degradationLevel(levels: Level[], pressure: f64): i32 {
  let level = 0;
  let at: f64 = -Infinity;
  for (let i = 0, n = levels.length; i < n; i++) {
    const p = unchecked(levels[i]).pressure;
    if (pressure >= p && p >= at) {
      level = i + 1;
      at = p;
    }
  }
  return level;
}

/** optimize decides every row of t and writes the decisions to the output region. */
export function optimize(t: Table, c: Config, state: State, pressure: f64): void {
  const rows = t.rows;
  grow(rows);
  beginDecisions(rows);
  let now: f64 = 0;
  for (let r = 0; r < rows; r++) now = max(now, finiteOr(t.num(N_MEM_TIME, r), finiteOr(t.num(N_CPU_TIME, r), 0)));
  state.prepare(rows, now - c.stateTtlSeconds);
  const live = state.live;
  const alpha = c.ewmaAlpha;
  const policy = c.policy;

  // Pass 1: identity, smoothing, importance.
  let maxCpu: f64 = 0;
  let maxMem: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const pid = parseUint(t.strPtr(S_PID, r), t.strLen(S_PID, r));
    if (pid < 0) {
      unchecked(classes[r] = PASS);
      continue;
    }
    unchecked(classes[r] = CANDIDATE);
    const time = finiteOr(t.num(N_MEM_TIME, r), t.num(N_CPU_TIME, r));
    const key = identity(pid, time - t.num(N_UPTIME, r));
    unchecked(keys[r] = key);
    const slot = live.insert(key);
    unchecked(slots[r] = slot);
    const dt = t.num(N_CPU_TIME, r) - t.num(N_CPU_START, r);
    const rate = dt > 0 ? t.num(N_CPU, r) / dt : NaN;
    const mem = t.num(N_MEM, r);
    if (isFinite(rate)) {
      const prev = live.cpu(slot);
      live.setCpu(slot, isFinite(prev) ? alpha * rate + (1 - alpha) * prev : rate);
    }
    if (isFinite(mem)) {
      const prev = live.mem(slot);
      live.setMem(slot, isFinite(prev) ? alpha * mem + (1 - alpha) * prev : mem);
    }
    live.setSeen(slot, now);
    // A top consumer is ranked by the CPU seconds it used in the interval, not by its rate: a
    // process born mid-interval has a short window, so a high rate over a few seconds would push
    // out one that used more over the whole interval. (With cumulative input this is the CPU
    // used since the process started.)
    unchecked(cpuNow[r] = rate > 0 ? t.num(N_CPU, r) : 0);
    unchecked(memNow[r] = finiteOr(mem, 0));
    maxCpu = max(maxCpu, finiteOr(live.cpu(slot), 0));
    maxMem = max(maxMem, finiteOr(live.mem(slot), 0));
    // The importance goes into scores for now; pass 2 turns it into the score.
    if (policy !== null) {
      const hit = policy.classify(t.strPtr(S_EXE, r), t.strLen(S_EXE, r), t.strPtr(S_CMD, r), t.strLen(S_CMD, r), t.strPtr(S_OWNER, r), t.strLen(S_OWNER, r));
      if (hit < 0) {
        unchecked(tiers[r] = policy.defaultTier);
        unchecked(scores[r] = policy.defaultScore);
      } else {
        const rule = unchecked(policy.rules[hit]);
        unchecked(tiers[r] = rule.tier);
        unchecked(scores[r] = rule.score);
      }
    } else {
      // A process an earlier classify left without a tier is standard, for keep_tiers too.
      let tier = tierFromBytes(t.strPtr(S_TIER, r), t.strLen(S_TIER, r));
      if (tier == TIER_UNSET) tier = TIER_STANDARD;
      unchecked(tiers[r] = tier);
      unchecked(scores[r] = finiteOr(parseDecimal(t.strPtr(S_SCORE, r), t.strLen(S_SCORE, r)), tierScore(tier)));
    }
  }

  // Pass 2: score, this interval's top consumers.
  const n = min(c.alwaysKeepTop, 100);
  let nCpu = 0;
  let nMem = 0;
  for (let r = 0; r < rows; r++) {
    if (unchecked(classes[r]) == PASS) continue;
    const slot = unchecked(slots[r]);
    const cpu = maxCpu > 0 ? finiteOr(live.cpu(slot), 0) / maxCpu : 0;
    const mem = maxMem > 0 ? finiteOr(live.mem(slot), 0) / maxMem : 0;
    unchecked(scores[r] = c.weightImportance * unchecked(scores[r]) + c.weightCpu * cpu + c.weightMemory * mem);
    nCpu = insertTop(topCpu, n, nCpu, cpuNow, r);
    nMem = insertTop(topMem, n, nMem, memNow, r);
  }
  for (let i = 0; i < nCpu; i++) if (unchecked(cpuNow[unchecked(topCpu[i])]) > 0) unchecked(classes[unchecked(topCpu[i])] = KEEP_TOP);
  for (let i = 0; i < nMem; i++) if (unchecked(memNow[unchecked(topMem[i])]) > 0) unchecked(classes[unchecked(topMem[i])] = KEEP_TOP);

  // Pass 3: protected tiers, exclusions, thresholds; rank the remaining candidates.
  let nc = 0;
  for (let r = 0; r < rows; r++) {
    const cls = unchecked(classes[r]);
    if (cls == PASS) continue;
    const slot = unchecked(slots[r]);
    if (c.keepTiers[unchecked(tiers[r])]) {
      unchecked(classes[r] = KEEP_PROTECTED);
    } else if (c.exclude.matches(t.strPtr(S_EXE, r), t.strLen(S_EXE, r))) {
      unchecked(classes[r] = ROLLUP);
    } else if (cls == KEEP_TOP) {
      // kept above
    } else if (finiteOr(live.cpu(slot), 0) < c.minCpu || finiteOr(live.mem(slot), 0) < c.minMemoryBytes ||
      finiteOr(t.num(N_UPTIME, r), Infinity) < c.minAgeSeconds) {
      unchecked(classes[r] = ROLLUP);
    } else {
      const rank = unchecked(scores[r]) * (1 + c.hysteresis * <f64>live.kept(slot));
      unchecked(ranks[r] = rank);
      unchecked(sel[nc++] = rank);
    }
  }
  const k = c.maxProcesses;
  let kth: f64 = -Infinity;
  let ties = nc;
  if (nc > k) {
    kth = k > 0 ? kthLargest(sel, nc, k - 1) : Infinity;
    let above = 0;
    for (let i = 0; i < nc; i++) if (unchecked(sel[i]) > kth) above++;
    ties = k - above;
  }
  for (let r = 0; r < rows; r++) {
    if (unchecked(classes[r]) != CANDIDATE) continue;
    const rank = unchecked(ranks[r]);
    if (rank > kth || (rank == kth && ties-- > 0)) unchecked(classes[r] = KEEP_RANKED);
    else unchecked(classes[r] = ROLLUP);
  }

  // Pass 4: degradation (critical processes are never rolled up), decisions, membership. The
  // levels reached add up, so they reduce to one rule per batch: any critical_only, the highest
  // min_score, the smallest keep_fraction. The level in force is reported to the host.
  reportGauge(GAUGE_DEGRADATION_LEVEL, <f64>degradationLevel(c.levels, pressure));
  let criticalOnly = false;
  let minScore = -Infinity;
  let keepFraction: f64 = 1;
  for (let i = 0, nl = c.levels.length; i < nl; i++) {
    const l = unchecked(c.levels[i]);
    if (pressure < l.pressure) continue;
    criticalOnly = criticalOnly || l.criticalOnly;
    minScore = max(minScore, l.minScore);
    keepFraction = min(keepFraction, l.keepFraction);
  }
  const degrade = criticalOnly || minScore > -Infinity || keepFraction < 1;
  const keepBelow = keepFraction * 10000;
  for (let r = 0; r < rows; r++) {
    let cls = unchecked(classes[r]);
    const tier = unchecked(tiers[r]);
    if (cls == PASS) {
      decide(r, ACTION_KEEP, TIER_UNSET, NaN);
      continue;
    }
    const score = unchecked(scores[r]);
    if (degrade && cls != ROLLUP && tier != TIER_CRITICAL &&
      (criticalOnly || score < minScore || <f64>(mix64(unchecked(keys[r])) % 10000) >= keepBelow)) {
      cls = ROLLUP;
    }
    const keep = cls != ROLLUP;
    live.setKept(unchecked(slots[r]), keep ? 1 : 0);
    decide(r, keep ? ACTION_KEEP : ACTION_ROLLUP, tier, score);
  }
}
