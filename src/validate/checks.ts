// Checks the collector does not do (it ignores unknown top-level keys of host_metrics and the
// routing connector: the component schemas are strict) and the pipeline graph rules of docs/reference/architecture.md.
import { existsSync } from "node:fs";
import { closest } from "../errors.ts";
import { StatusError, WasmModule } from "../host/index.ts";
import { expandEnv, type ConfigFile, type Problem } from "./config.ts";
import { Ajv, type ErrorObject } from "ajv";
import { componentSchemas } from "./schemas.ts";
import { componentType as typeOf } from "../component.ts";
import { durationSeconds } from "../duration.ts";
import { metricExpiration } from "../generate/agent.ts";

// verbose: an error carries the schema it failed, whose properties are the keys to suggest.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validators = new Map(Object.entries(componentSchemas).map(([t, s]) => [t, ajv.compile(s)]));
const SECTIONS = ["receivers", "processors", "exporters", "connectors", "extensions"] as const;

/** schemas checks every component whose type has a schema; one problem per failed rule. */
export function schemas(c: ConfigFile): Problem[] {
  const out: Problem[] = [];
  for (const section of SECTIONS) {
    for (const [id, cfg] of Object.entries<unknown>(c.data[section] ?? {})) {
      const validate = validators.get(typeOf(id));
      if (!validate || validate(cfg ?? {})) continue;
      for (const e of validate.errors ?? []) out.push(schemaProblem(section, id, e));
    }
  }
  return out;
}

function schemaProblem(section: string, id: string, e: ErrorObject): Problem {
  const path = [section, id, ...e.instancePath.split("/").slice(1)];
  if (e.keyword === "additionalProperties") {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const near = closest(key, known);
    return { path: [...path, key], message: `unknown key \`${key}\``, hint: near ? `did you mean \`${near}\`?` : `known keys: ${known.join(", ")}` };
  }
  return { path, message: e.message ?? "invalid" };
}

export function graph(c: ConfigFile): Problem[] {
  const out: Problem[] = [];
  const pipelines: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }> = c.data.service?.pipelines ?? {};
  const defined = (section: string, id: string) => Object.hasOwn(c.data[section] ?? {}, id);
  const connectors = Object.keys(c.data.connectors ?? {});
  for (const [name, p] of Object.entries(pipelines)) {
    for (const r of p.receivers ?? []) if (!defined("receivers", r) && !defined("connectors", r)) out.push({ path: ["service", "pipelines", name, "receivers"], message: `\`${r}\` is not defined under receivers or connectors` });
    for (const x of p.processors ?? []) if (!defined("processors", x)) out.push({ path: ["service", "pipelines", name, "processors"], message: `\`${x}\` is not defined under processors` });
    for (const e of p.exporters ?? []) if (!defined("exporters", e) && !defined("connectors", e)) out.push({ path: ["service", "pipelines", name, "exporters"], message: `\`${e}\` is not defined under exporters or connectors` });
    const ml = (p.processors ?? []).findIndex((x) => typeOf(x) === "memory_limiter");
    if (ml > 0) out.push({ path: ["service", "pipelines", name, "processors"], message: "memory_limiter must be the first processor", hint: "move it to the front so it can refuse data before the others spend memory on it" });
  }
  for (const conn of connectors) {
    const asExporter = Object.values(pipelines).some((p) => p.exporters?.includes(conn));
    const asReceiver = Object.values(pipelines).some((p) => p.receivers?.includes(conn));
    if (!asExporter || !asReceiver) out.push({ path: ["connectors", conn], message: `connector \`${conn}\` must be an exporter of one pipeline and a receiver of another` });
  }
  // Connector edges must not form a cycle.
  const next = new Map<string, string[]>();
  for (const [name, p] of Object.entries(pipelines)) {
    next.set(name, Object.entries(pipelines).filter(([, q]) => (p.exporters ?? []).some((e) => connectors.includes(e) && q.receivers?.includes(e))).map(([n]) => n));
  }
  const state = new Map<string, number>();
  const visit = (n: string): boolean => {
    if (state.get(n) === 1) return true;
    if (state.get(n) === 2) return false;
    state.set(n, 1);
    const cyc = (next.get(n) ?? []).some(visit);
    state.set(n, 2);
    return cyc;
  };
  for (const n of next.keys()) if (visit(n)) { out.push({ path: ["service", "pipelines", n], message: "pipelines joined by connectors form a cycle" }); break; }
  // Every tier the routing connector names goes somewhere.
  for (const [id, r] of Object.entries<any>(c.data.connectors ?? {})) {
    if (typeOf(id) !== "routing") continue;
    for (const [i, route] of (r?.table ?? []).entries()) for (const p of route.pipelines ?? []) {
      if (!pipelines[p]) out.push({ path: ["connectors", id, "table", String(i), "pipelines"], message: `pipeline \`${p}\` does not exist` });
    }
    for (const p of r?.default_pipelines ?? []) if (!pipelines[p]) out.push({ path: ["connectors", id, "default_pipelines"], message: `pipeline \`${p}\` does not exist` });
    if ((r?.default_pipelines ?? []).length === 0) {
      out.push({ path: ["connectors", id], message: "no default_pipelines: resources the table does not match (a tier without a route) would be dropped", hint: "set default_pipelines, e.g. [metrics/standard]" });
    }
  }
  return out.concat(pull(c), memory(c));
}

/**
 * memory checks that the optimizer sheds before memory_limiter refuses (docs/operations/memory.md):
 * every degradation level of a wasm processor whose pressure limit is set must be reached below
 * the limiter's soft limit (limit_mib − spike_limit_mib) in the same pipeline.
 */
function memory(c: ConfigFile): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const p of Object.values<any>(c.data.service?.pipelines ?? {})) {
    const procs: string[] = p?.processors ?? [];
    const ml = procs.find((x) => typeOf(x) === "memory_limiter");
    const lim = ml ? c.data.processors?.[ml] : undefined;
    if (typeof lim?.limit_mib !== "number") continue;
    const soft = lim.limit_mib - (typeof lim.spike_limit_mib === "number" ? lim.spike_limit_mib : Math.floor(lim.limit_mib / 5));
    if (soft <= 0) continue; // the memory_limiter's own validate refuses a spike above the limit
    for (const w of procs.filter((x) => typeOf(x) === "wasm")) {
      const cfg = c.data.processors?.[w];
      const limit = cfg?.memory_pressure_limit_mib;
      if (typeof limit !== "number" || limit <= 0 || seen.has(w)) continue;
      seen.add(w);
      const levels: { pressure?: unknown }[] = Array.isArray(cfg?.config?.degradation) ? cfg.config.degradation : [{ pressure: 0.9 }];
      const top = Math.max(0, ...levels.map((l) => (typeof l?.pressure === "number" && l.pressure < 1 ? l.pressure : 0)));
      if (top * limit >= soft) {
        out.push({ path: ["processors", w, "memory_pressure_limit_mib"],
          message: `its last degradation level (pressure ${top}) applies at ${+(top * limit).toFixed(1)} MiB of heap, but \`${ml}\` refuses whole batches, critical processes included, from ${soft} MiB (limit_mib − spike_limit_mib)`,
          hint: `set memory_pressure_limit_mib to at most ${soft} (the limiter's soft limit, as \`nrdot generate\` does); docs/operations/memory.md` });
      }
    }
  }
  return out;
}

/**
 * pull checks what a Prometheus scrape of an optimized pipeline sees (docs/backends.md): counters
 * made deltas for the optimizer must become counters again before the prometheus exporter, and
 * its series expiry must outlast an interval (or kept series flicker) but not by much (or a process
 * rolled into `other` is counted twice until its series expires).
 */
function pull(c: ConfigFile): Problem[] {
  const out: Problem[] = [];
  const pipelines: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }> = c.data.service?.pipelines ?? {};
  for (const [name, p] of Object.entries(pipelines)) {
    const procs = (p.processors ?? []).map(typeOf);
    if (!procs.includes("wasm")) continue;
    for (const e of p.exporters ?? []) {
      if (typeOf(e) !== "prometheus") continue;
      if (procs.lastIndexOf("cumulative_to_delta") > procs.lastIndexOf("delta_to_cumulative")) {
        out.push({ path: ["service", "pipelines", name, "processors"], message: `\`${e}\` is sent deltas: Prometheus reads counters`, hint: "add delta_to_cumulative after the wasm processor (`nrdot generate --backend prometheus` does)" });
      }
      const interval = durationSeconds(String(c.data.receivers?.[(p.receivers ?? []).find((r) => typeOf(r) === "host_metrics") ?? ""]?.collection_interval ?? ""));
      const raw = c.data.exporters?.[e]?.metric_expiration;
      const expiry = raw === undefined ? 300 : durationSeconds(String(raw));
      if (interval === undefined || expiry === undefined) continue;
      const generated = `metric_expiration: ${metricExpiration(`${interval}s`)}, as \`nrdot generate --backend prometheus\` sets it`;
      if (expiry <= interval) {
        out.push({ path: ["exporters", e, "metric_expiration"], message: `${expiry}s is not longer than the ${interval}s collection interval: kept series would disappear between scrapes`, hint: `one interval plus a margin: ${generated}` });
      } else if (expiry > 2 * interval + 5) {
        out.push({ path: ["exporters", e, ...(raw === undefined ? [] : ["metric_expiration"])], message: `series expire after ${expiry}s${raw === undefined ? " (the default)" : ""}: a process rolled into \`other\` would be counted twice for that long`, hint: `about two intervals at most: ${generated}` });
      }
    }
  }
  return out;
}

/** modules checks that every wasm processor's module exists and is of our ABI. */
export async function modules(c: ConfigFile, env: NodeJS.ProcessEnv): Promise<Problem[]> {
  const out: Problem[] = [];
  for (const [id, cfg] of Object.entries<any>(c.data.processors ?? {})) {
    if (typeOf(id) !== "wasm") continue;
    const path = ["processors", id, "module"];
    if (typeof cfg?.module !== "string") {
      out.push({ path, message: "module is required: the path of a .wasm file" });
      continue;
    }
    const file = expandEnv(cfg.module, env);
    if (!existsSync(file)) {
      out.push({ path, message: `${file} does not exist`, hint: "build the modules with `make wasm`, or set NRDOT_WASM_DIR" });
      continue;
    }
    let m: WasmModule;
    try {
      m = await WasmModule.load(file);
    } catch (e) {
      out.push({ path, message: (e as Error).message });
      continue;
    }
    // The module judges its own config: configure it as the collector will.
    try {
      m.configure(cfg.config ?? {});
    } catch (e) {
      const detail = e instanceof StatusError ? e.detail : (e as Error).message;
      out.push({ path: ["processors", id, "config", ...configPath(detail)], message: `refused by ${file}: ${detail}` });
    }
  }
  return out;
}

/** configPath turns the key path a module names ("rules[2].tier: …") into YAML path segments. */
function configPath(detail: string): string[] {
  const m = /^([A-Za-z0-9_.[\]]+):/.exec(detail);
  if (!m || m[1] === "config") return [];
  return m[1].replace(/\[(\d+)\]/g, ".$1").split(".").filter((p) => p !== "");
}
