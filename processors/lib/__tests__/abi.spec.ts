import {
  MAX_ALLOC, STATUS_BAD_TABLE, STATUS_INTERNAL, errorBegin, errorClear, errorEnd, errorInt, errorMessage, errorText, fail,
  inMemory, inputBuffer, outputBuffer, outputBytes, outputError, outputPointer, outputString, tryAlloc,
} from "../abi";
import {
  ACTION_DROP, ACTION_KEEP, ACTION_ROLLUP, TIER_CRITICAL, TIER_SAMPLED, TIER_UNSET, beginDecisions, decide, decisionsPtr,
  tierFromName, tierName,
} from "../decisions";
import { encodeInto } from "../host";

function outputText(len: i32): string {
  return String.UTF8.decodeUnsafe(outputPointer(), <usize>len);
}

describe("input buffer", () => {
  it("returns an 8-byte aligned buffer, also for size 0", () => {
    const p = inputBuffer(0);
    expect(p).not.toBe(0);
    expect(p & 7).toBe(0);
  });
  it("reuses the buffer while it is big enough and grows it when not", () => {
    const a = inputBuffer(100);
    expect(inputBuffer(50)).toBe(a);
    const big = inputBuffer(100000);
    expect(big & 7).toBe(0);
    store<u8>(big + 99999, 7); // writable to the end
    expect(inputBuffer(100000)).toBe(big);
  });
  it("returns 0 when it cannot allocate", () => {
    expect(inputBuffer(-1)).toBe(0);
    expect(inputBuffer(MAX_ALLOC + 1)).toBe(0);
    expect(tryAlloc(-5)).toBe(0);
  });
});

describe("output region", () => {
  it("copies strings as UTF-8 and reports where they are", () => {
    const n = outputString("attr process.executable.name\n");
    expect(n).toBe(29);
    expect(outputText(n)).toBe("attr process.executable.name\n");
    expect(outputString("日本")).toBe(6);
    expect(outputText(6)).toBe("日本");
    expect(outputString("")).toBe(0);
  });
  it("copies bytes", () => {
    const b = String.UTF8.encode("abc");
    expect(outputBytes(changetype<usize>(b), 3)).toBe(3);
    expect(outputText(3)).toBe("abc");
    expect(outputBuffer(10)).toBe(outputPointer());
  });
});

describe("last error", () => {
  it("records a message and returns the status", () => {
    expect(fail(STATUS_INTERNAL, "boom: é")).toBe(STATUS_INTERNAL);
    expect(errorMessage()).toBe("boom: é");
    const n = outputError();
    expect(n).toBe(8);
    expect(outputText(n)).toBe("boom: é");
    errorClear();
    expect(outputError()).toBe(0);
  });
  it("composes a message from text and integers without allocating", () => {
    errorBegin();
    errorText("table: ");
    errorInt(0);
    errorText(" / ");
    errorInt(-42);
    errorText(" / ");
    errorInt(4294967295);
    expect(errorEnd(STATUS_BAD_TABLE)).toBe(STATUS_BAD_TABLE);
    expect(errorMessage()).toBe("table: 0 / -42 / 4294967295");
  });
  it("cuts a message longer than its buffer", () => {
    let long = "";
    for (let i = 0; i < 5000; i++) long += "x";
    fail(STATUS_INTERNAL, long);
    expect(errorMessage().length > 1000).toBe(true);
    expect(errorMessage().length <= 4096).toBe(true);
  });
});

describe("helpers", () => {
  it("encodes into a fixed buffer, cutting what does not fit", () => {
    const buf = new ArrayBuffer(8);
    const p = changetype<usize>(buf);
    expect(encodeInto("abc", p, 8)).toBe(3);
    expect(encodeInto("日本", p, 8)).toBe(6);
    expect(encodeInto("abcdefghij", p, 8) <= 8).toBe(true);
    expect(encodeInto("abc", p, 0)).toBe(0);
  });
  it("checks that bytes lie in memory", () => {
    expect(inMemory(8, 8)).toBe(true);
    expect(inMemory(0, -1)).toBe(false);
    expect(inMemory(<usize>(memory.size() << 16) - 4, 8)).toBe(false);
  });
});

describe("decisions", () => {
  it("writes 16-byte records: action, tier, zero reserved bytes, score", () => {
    beginDecisions(3);
    const base = decisionsPtr();
    expect(base).toBe(outputPointer());
    memory.fill(base, 0xff, 48); // the reserved bytes must be written as 0
    decide(0, ACTION_KEEP, TIER_CRITICAL, 1.0);
    decide(1, ACTION_DROP, TIER_UNSET, NaN);
    decide(2, ACTION_ROLLUP, TIER_SAMPLED, 0.25);
    expect(load<u8>(base)).toBe(ACTION_KEEP);
    expect(load<u8>(base, 1)).toBe(TIER_CRITICAL);
    expect(load<u16>(base, 2)).toBe(0);
    expect(load<u32>(base, 4)).toBe(0);
    expect(load<f64>(base, 8)).toBe(1.0);
    expect(load<u8>(base + 16)).toBe(ACTION_DROP);
    expect(load<u8>(base + 16, 1)).toBe(TIER_UNSET);
    expect(isNaN(load<f64>(base + 16, 8))).toBe(true);
    expect(load<u8>(base + 32)).toBe(ACTION_ROLLUP);
    expect(load<u8>(base + 32, 1)).toBe(TIER_SAMPLED);
    expect(load<u16>(base + 32, 2)).toBe(0);
    expect(load<u32>(base + 32, 4)).toBe(0);
    expect(load<f64>(base + 32, 8)).toBe(0.25);
  });
  it("maps tier names and codes both ways", () => {
    expect(tierFromName("critical")).toBe(TIER_CRITICAL);
    expect(tierFromName("sampled")).toBe(TIER_SAMPLED);
    expect(tierFromName("gold")).toBe(TIER_UNSET);
    expect(tierFromName("Critical")).toBe(TIER_UNSET);
    expect(tierName(TIER_CRITICAL)).toBe("critical");
    expect(tierName(TIER_UNSET)).toBe("");
    expect(tierName(9)).toBe("");
  });
});
