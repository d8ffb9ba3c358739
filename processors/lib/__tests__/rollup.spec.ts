import { outputPointer } from "../abi";
import { Rollup, declareRollup, outputRollup, processRollup } from "../rollup";

function output(len: i32): string {
  return String.UTF8.decodeUnsafe(outputPointer(), <usize>len);
}

describe("roll-up declaration", () => {
  it("writes one line per call, in order, with typed values", () => {
    const r = new Rollup().group("k8s.node.name").strip("container.").setString("name", "rest of the line").setBool("flag", false)
      .setInt("n", -42).count("rows");
    expect(r.text()).toBe("group k8s.node.name\nstrip container.\nset name string rest of the line\nset flag bool false\nset n int -42\ncount rows\n");
  });
  it("is empty until a module declares one", () => {
    expect(outputRollup()).toBe(0);
  });
  it("is what nrdot_rollup returns once declared: the process roll-up of classify and optimize", () => {
    declareRollup(processRollup());
    const n = outputRollup();
    expect(output(n)).toBe("group host.name\nstrip process.\nstrip nrdot.\nset process.executable.name string other\n" +
      "set nrdot.rollup bool true\nset nrdot.tier string sampled\ncount nrdot.rollup.count\n");
  });
});
