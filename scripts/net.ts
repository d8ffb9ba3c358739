// A free loopback port, for the benchmarks' collectors and sinks (the e2e tests have their own in
// test/e2e/collector.ts: scripts/ does not import from test/).
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}
