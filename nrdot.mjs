#!/usr/bin/env node
// package.json's bin. It exists in every clone, so `npx nrdot` has a command to link even before
// the first build: the compiled CLI (dist/bin/nrdot.js, which itself runs the sources when they
// are newer than the build) when there is one, else the sources through tsx (src/bin/nrdot.mjs).
import { existsSync } from "node:fs";

const compiled = new URL("../../dist/bin/nrdot.js", import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL("./nrdot.mjs", import.meta.url).href);
