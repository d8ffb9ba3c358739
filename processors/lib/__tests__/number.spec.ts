import { mix64, parseDecimal, parseUint } from "../number";

function dec(s: string): f64 {
  const b = String.UTF8.encode(s);
  return parseDecimal(changetype<usize>(b), b.byteLength);
}

function uint(s: string): i64 {
  const b = String.UTF8.encode(s);
  return parseUint(changetype<usize>(b), b.byteLength);
}

describe("parseDecimal", () => {
  it("parses the forms Go and JS print doubles in", () => {
    expect(dec("0.95")).toBe(0.95);
    expect(dec("1")).toBe(1.0);
    expect(dec("-2.5")).toBe(-2.5);
    expect(dec("1e-7")).toBe(1e-7);
    expect(dec("2.5E+3")).toBe(2500.0);
  });
  it("returns NaN for anything else", () => {
    expect(isNaN(dec(""))).toBe(true);
    expect(isNaN(dec("."))).toBe(true);
    expect(isNaN(dec("1.2.3"))).toBe(true);
    expect(isNaN(dec("1e"))).toBe(true);
    expect(isNaN(dec("abc"))).toBe(true);
  });
});

describe("parseUint", () => {
  it("parses pids and refuses the rest", () => {
    expect(uint("4242")).toBe(4242);
    expect(uint("")).toBe(-1);
    expect(uint("12a")).toBe(-1);
    expect(uint("-1")).toBe(-1);
  });
});

describe("mix64", () => {
  it("spreads nearby keys", () => {
    expect(mix64(1)).not.toBe(mix64(2));
    expect(mix64(1) & 0xffff).not.toBe(mix64(2) & 0xffff);
  });
});
