// classify through its ABI exports, as a host calls them (docs/reference/abi.md).
import {
  nrdot_abi_version, nrdot_buffer, nrdot_columns, nrdot_configure, nrdot_error, nrdot_output_ptr, nrdot_process,
  nrdot_restore, nrdot_rollup, nrdot_snapshot,
} from "../index";

function output(len: i32): string {
  return String.UTF8.decodeUnsafe(nrdot_output_ptr(), <usize>len);
}

/** configure writes config into the module's buffer and calls nrdot_configure. */
function configure(config: string): i32 {
  const b = String.UTF8.encode(config);
  const p = nrdot_buffer(b.byteLength);
  memory.copy(p, changetype<usize>(b), <usize>b.byteLength);
  return nrdot_configure(p, b.byteLength);
}

/**
 * table writes a table of the three classify columns (executable name, command line, owner) into
 * the module's buffer (at tablePtr) and returns its length. Rows are "exe|cmd|owner".
 */
let tablePtr: usize = 0;
function table(rows: string[]): i32 {
  const r = rows.length;
  const cols = new Array<string>(3 * r);
  for (let i = 0; i < r; i++) {
    const f = rows[i].split("|");
    for (let c = 0; c < 3; c++) cols[c * r + i] = c < f.length ? f[c] : "";
  }
  let blockLen = 0;
  for (let i = 0; i < cols.length; i++) blockLen += String.UTF8.byteLength(cols[i]);
  const offsetsAt = 16;
  const blockAt = offsetsAt + 4 * 3 * (r + 1);
  const len = blockAt + blockLen;
  const p = nrdot_buffer(len);
  tablePtr = p;
  store<u32>(p, 1);
  store<u32>(p, r, 4);
  store<u32>(p, 3, 8);
  store<u32>(p, 0, 12);
  let off = 0;
  for (let c = 0; c < 3; c++) {
    const col = p + offsetsAt + 4 * c * (r + 1);
    store<u32>(col, off);
    for (let i = 0; i < r; i++) {
      const s = cols[c * r + i];
      off += <i32>String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, p + blockAt + off);
      store<u32>(col + 4 * (i + 1), off);
    }
  }
  return len;
}

function action(row: i32): u8 { return load<u8>(nrdot_output_ptr() + 16 * row); }
function tier(row: i32): u8 { return load<u8>(nrdot_output_ptr() + 16 * row, 1); }
function score(row: i32): f64 { return load<f64>(nrdot_output_ptr() + 16 * row, 8); }

describe("classify ABI", () => {
  it("is ABI version 2 and declares its three columns", () => {
    expect(nrdot_abi_version()).toBe(2);
    const n = nrdot_columns();
    expect(output(n)).toBe("attr process.executable.name\nattr process.command_line\nattr process.owner\n");
  });
  it("declares the process roll-up: one other per host, counted", () => {
    const n = nrdot_rollup();
    expect(output(n)).toBe("group host.name\nstrip process.\nstrip nrdot.\nset process.executable.name string other\n" +
      "set nrdot.rollup bool true\nset nrdot.tier string sampled\ncount nrdot.rollup.count\n");
  });
  it("decides a batch with the default config", () => {
    expect(configure("{}")).toBe(0);
    const len = table(["postgres|postgres: checkpointer|postgres", "nginx|nginx: worker|www-data", "foo|foo --x|me",
      "kworker/0:1||root", "||"]);
    expect(nrdot_process(tablePtr, len)).toBe(0);
    expect(action(0)).toBe(0);
    expect(tier(0)).toBe(1);
    expect(score(0)).toBe(1.0);
    expect(tier(1)).toBe(2);
    expect(score(1)).toBe(0.8);
    expect(tier(2)).toBe(3);
    expect(score(2)).toBe(0.5);
    expect(tier(3)).toBe(4);
    expect(score(3)).toBe(0.2);
    expect(tier(4)).toBe(3);
    for (let r = 0; r < 5; r++) {
      expect(action(r)).toBe(0);
      expect(load<u16>(nrdot_output_ptr() + 16 * r, 2)).toBe(0);
      expect(load<u32>(nrdot_output_ptr() + 16 * r, 4)).toBe(0);
    }
  });
  it("applies the configured rules", () => {
    expect(configure('{"catalog": false, "default_tier": "sampled", "rules": [{"owner": "svc-*", "tier": "critical", "score": 0.9}]}')).toBe(0);
    const len = table(["postgres||postgres", "api||svc-api"]);
    expect(nrdot_process(tablePtr, len)).toBe(0);
    expect(tier(0)).toBe(4);
    expect(tier(1)).toBe(1);
    expect(score(1)).toBe(0.9);
  });
  it("decides an empty batch", () => {
    const len = table([]);
    expect(nrdot_process(tablePtr, len)).toBe(0);
  });
  it("refuses a bad config with a message and keeps the previous one", () => {
    expect(configure('{"rules": [{"executable": "x", "tier": "gold"}]}')).toBe(1);
    const n = nrdot_error();
    expect(output(n)).toBe('rules[0].tier: "gold" is not a tier; expected one of critical, important, standard, sampled');
    expect(configure('{"colour": 1}')).toBe(1);
    expect(output(nrdot_error())).toBe("colour: unknown key (known: rules, default_tier, catalog)");
  });
  it("refuses a table that does not match its columns", () => {
    // The worked example of abi.md: one string and one number column.
    const p = nrdot_buffer(51);
    store<u32>(p, 1);
    store<u32>(p, 2, 4);
    store<u32>(p, 1, 8);
    store<u32>(p, 1, 12);
    expect(nrdot_process(p, 51)).toBe(2);
    expect(output(nrdot_error())).toBe("table: 1 string and 1 number columns, the module declared 3 and 0");
  });
  it("keeps no state", () => {
    expect(nrdot_snapshot()).toBe(0);
    expect(nrdot_restore(nrdot_buffer(0), 0)).toBe(0);
    expect(nrdot_restore(nrdot_buffer(4), 4)).toBe(3);
  });
});
