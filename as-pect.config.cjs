// as-pect: unit tests of the AssemblyScript guest library and processors
// (processors/**/__tests__/*.spec.ts), run with `npx asp --config as-pect.config.cjs`.
// The tests call the policy functions directly under as-pect's own runtime (compiler options in
// as-pect.asconfig.json); the `nrdot` host module is provided here with the same meaning as in
// the real hosts. Set NRDOT_ASPECT_LOG=1 to see what the guest logs.
module.exports = {
  entries: ["processors/**/__tests__/**/*.spec.ts"],
  include: ["processors/**/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    const decoder = new TextDecoder();
    let instance;
    const nrdot = {
      log(level, ptr, len) {
        if (!process.env.NRDOT_ASPECT_LOG) return;
        const mem = instance.exports.memory.buffer;
        console.log(`[guest ${level}] ${decoder.decode(new Uint8Array(mem, ptr, len))}`);
      },
      now_ms: () => Date.now(),
      memory_pressure: () => Number(process.env.NRDOT_TEST_PRESSURE ?? 0),
      report_gauge(ptr, len, value) {
        gauges.set(decoder.decode(new Uint8Array(instance.exports.memory.buffer, ptr, len)), value);
      },
    };
    // What the guest reported with nrdot.report_gauge, read back by specs through the test-only
    // import nrdot_test.gauge(name_ptr, name_len) -> f64 (NaN: never reported).
    const gauges = new Map();
    const nrdot_test = {
      gauge(ptr, len) {
        return gauges.get(decoder.decode(new Uint8Array(instance.exports.memory.buffer, ptr, len))) ?? NaN;
      },
    };
    // The loader's instantiate resolves to { exports, instance, module }: the host functions read
    // the guest's memory through it once it has resolved.
    instance = await instantiate(binary, createImports({ env: { memory }, nrdot, nrdot_test }));
    return instance;
  },
  outputBinary: false,
};
