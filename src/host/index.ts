// The TypeScript reference host of the NRDOT WASM ABI v1 (docs/reference/abi.md).
export * from "./abi.ts";
export * from "./columns.ts";
export * from "./table.ts";
export * from "./module.ts";
export * from "./otlp.ts";
export * from "./chain.ts";
