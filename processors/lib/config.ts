// Helpers for validating a module's JSON config with errors that name the key path
// ("rules[2].tier: …") and suggest the closest known key.
import { JsonKind, JsonParser, JsonValue, index, join } from "./json";

// The key paths of parse errors and of validation errors are built alike.
export { index, join };

/** checkKeys returns "" or an error naming the first key of obj not in allowed. */
export function checkKeys(obj: JsonValue, path: string, allowed: string[]): string {
  for (let i = 0; i < obj.keys.length; i++) {
    const k = obj.keys[i];
    if (!allowed.includes(k)) {
      let msg = join(path, k) + ": unknown key (known: " + allowed.join(", ") + ")";
      const near = closest(k, allowed);
      if (near.length > 0) msg += "; did you mean `" + near + "`?";
      return msg;
    }
  }
  return "";
}

/** typeError is the message for a value of the wrong JSON type. */
export function typeError(path: string, want: string, got: JsonValue): string {
  return path + ": expected " + want + ", got " + got.kindName();
}

/**
 * closest returns the allowed key within edit distance 2 of k, or "" (a distance as long as k
 * itself means a different word, not a typo).
 */
export function closest(k: string, allowed: string[]): string {
  let best = "";
  let bestD = 3;
  for (let i = 0; i < allowed.length; i++) {
    const d = editDistance(k, allowed[i]);
    if (d < bestD && d < k.length) {
      bestD = d;
      best = allowed[i];
    }
  }
  return best;
}

export function editDistance(a: string, b: string): i32 {
  const n = b.length;
  let prev = new Array<i32>(n + 1);
  let cur = new Array<i32>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) == b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = min(min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[n];
}

/** ConfigRoot is a module config's top-level object, or the error that names what is wrong. */
export class ConfigRoot {
  value: JsonValue = new JsonValue();
  error: string = "";
}

/** parseConfigObject parses config JSON ("" is {}) that must be an object of only the given keys. */
export function parseConfigObject(text: string, keys: string[]): ConfigRoot {
  const out = new ConfigRoot();
  const parser = new JsonParser(text.length == 0 ? "{}" : text);
  const root = parser.parse();
  if (root === null) {
    out.error = "config: " + parser.error;
  } else if (root.kind != JsonKind.Object) {
    out.error = typeError("config", "an object", root);
  } else {
    out.value = root;
    out.error = checkKeys(root, "", keys);
  }
  return out;
}
