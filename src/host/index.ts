// The TypeScript reference host of the NRDOT WASM ABI v2 (docs/reference/abi.md).
export * from "./abi.ts";
export * from "./columns.ts";
export * from "./rollup.ts";
export * from "./table.ts";
export * from "./rows.ts";
export { readInterface, formatSignature, type Extern, type ExternKind, type ModuleInterface } from "./binary.ts";
export * from "./module.ts";
export * from "./otlp.ts";
export * from "./apply.ts";
export * from "./chain.ts";
export * from "./otlp-proto.ts";
export * from "./totals.ts";
