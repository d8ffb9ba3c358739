// The as-pect config lives in as-pect.config.cjs; this file keeps `asp --config as-pect.config.js`
// (and as-pect's default config name) working.
export { default } from "./as-pect.config.cjs";
