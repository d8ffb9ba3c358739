#!/usr/bin/env node
// nrdot from the sources, for development (no build step): src/bin/nrdot.ts through tsx. The
// installed command runs its compiled form, dist/bin/nrdot.js (nrdot.mjs).
import { register } from "tsx/esm/api";

register();
await import("./nrdot.ts");
