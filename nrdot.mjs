#!/usr/bin/env node
// package.json's bin. It is in every clone, so `npx nrdot` has a command to link even before
// the first build, and in the package, outside src/ (the package ships no sources: an src/ folder
// is what makes dist/bin/nrdot.js run a clone's newer sources). It runs the compiled CLI
// (dist/bin/nrdot.js) when there is one, else the sources through tsx (src/bin/nrdot.mjs).
import { existsSync } from "node:fs";

const compiled = new URL("./dist/bin/nrdot.js", import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL("./src/bin/nrdot.mjs", import.meta.url).href);
