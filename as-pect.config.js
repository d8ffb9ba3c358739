// as-pect: unit tests of the AssemblyScript processors (processors/**/__tests__/*.spec.ts).
// Tests run the policy functions directly under as-pect's own runtime; the `nrdot` host module is
// provided here with the same meaning as in the real hosts.
export default {
  entries: ["processors/**/__tests__/**/*.spec.ts"],
  include: ["processors/**/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    const decoder = new TextDecoder();
    let instance;
    const nrdot = {
      log(level, ptr, len) {
        const mem = instance.exports.memory.buffer;
        if (process.env.NRDOT_ASPECT_LOG) console.log(`[guest ${level}] ${decoder.decode(new Uint8Array(mem, ptr, len))}`);
      },
      now_ms: () => Date.now(),
      memory_pressure: () => Number(process.env.NRDOT_TEST_PRESSURE ?? 0),
    };
    instance = instantiate(binary, createImports({ env: { memory }, nrdot }));
    return instance;
  },
  outputBinary: false,
};
