#!/usr/bin/env node
// The nrdot command: the only file that touches the process (argv, streams, exit code).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli.ts");
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
