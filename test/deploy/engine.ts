// The container engine for the testcontainers tests. testcontainers talks the Docker API:
//   - when one answers (DOCKER_HOST, /var/run/docker.sock, or a podman service at
//     /run/podman/podman.sock), it is used as it is, and nothing is started or stopped;
//   - otherwise (this project's CI machines: podman, no Docker engine), scripts/podman-docker-api.sh
//     prepares podman (installs podman and runc when missing; vfs storage and the rlimit-free
//     runtime wrapper as podman's defaults, only where not set already), and
//     `podman system service` is started on a socket of this run's own, and stopped by stop().
// A DOCKER_HOST that does not answer is an error: the user named that engine. An engine that
// cannot be started is an error too, never a skip: the message says what to install.
// TESTCONTAINERS_RYUK_DISABLED defaults to true: the reaper's image cannot be pulled where there is
// no registry, and the tests remove their containers themselves.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const repoRoot = resolve(import.meta.dirname, "../..");

export interface Engine {
  /** The Docker API endpoint the tests use (also set as DOCKER_HOST). */
  dockerHost: string;
  /** "docker" or "podman": which engine serves the API. */
  kind: "docker" | "podman";
  /** Whether this run started the engine (and stop() stops it). */
  started: boolean;
  /** One line for the test's output: which engine, and what was started. */
  description: string;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  "install podman and runc (Debian: apt-get install podman runc; scripts/ci-container-engine.sh does it), " +
  "or start a Docker engine and set DOCKER_HOST";

interface Version { Version?: string; Components?: { Name?: string }[]; Platform?: { Name?: string } }

/** version asks a Docker API endpoint for GET /version; undefined when nothing answers. */
function version(dockerHost: string, timeoutMs = 3000): Promise<Version | undefined> {
  let target: { socketPath: string } | { host: string; port: number };
  if (dockerHost.startsWith("unix://")) {
    const socketPath = dockerHost.slice("unix://".length);
    if (!existsSync(socketPath)) return Promise.resolve(undefined);
    target = { socketPath };
  } else if (dockerHost.startsWith("tcp://") || dockerHost.startsWith("http://")) {
    const u = new URL(dockerHost.replace(/^tcp:/, "http:"));
    target = { host: u.hostname, port: Number(u.port || 2375) };
  } else {
    return Promise.resolve(undefined);
  }
  return new Promise((res) => {
    const req = request({ ...target, path: "/version", method: "GET", timeout: timeoutMs }, (r) => {
      let body = "";
      r.on("data", (c) => (body += c));
      r.on("end", () => {
        try {
          res(r.statusCode === 200 ? JSON.parse(body) : undefined);
        } catch {
          res(undefined);
        }
      });
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => res(undefined));
    req.end();
  });
}

function kindOf(v: Version): "docker" | "podman" {
  const names = [v.Platform?.Name ?? "", ...(v.Components ?? []).map((c) => c.Name ?? "")].join(" ");
  return /podman/i.test(names) ? "podman" : "docker";
}

function answering(dockerHost: string, v: Version, what: string): Engine {
  process.env.DOCKER_HOST = dockerHost;
  const kind = kindOf(v);
  return {
    dockerHost,
    kind,
    started: false,
    description: `using the ${kind} engine ${v.Version ?? ""} that answers at ${dockerHost} (${what}); started nothing`,
    stop: async () => {},
  };
}

/** ensureEngine returns a Docker API endpoint that answers, starting podman's when none does. */
export async function ensureEngine(): Promise<Engine> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  const given = process.env.DOCKER_HOST;
  if (given) {
    const v = await version(given);
    if (!v) throw new Error(`DOCKER_HOST=${given} does not answer the Docker API (GET /version); start that engine, or unset DOCKER_HOST to let the test start podman`);
    return answering(given, v, "DOCKER_HOST");
  }
  for (const host of ["unix:///var/run/docker.sock", "unix:///run/podman/podman.sock"]) {
    const v = await version(host);
    if (v) return answering(host, v, "its default socket");
  }
  return startPodman();
}

async function startPodman(): Promise<Engine> {
  const setup = spawnSync(join(repoRoot, "scripts/podman-docker-api.sh"), { encoding: "utf8", timeout: 600_000 });
  const setupOut = `${setup.stdout ?? ""}${setup.stderr ?? ""}`.trim();
  if (setup.error || setup.status !== 0) {
    throw new Error(`no container engine answers the Docker API, and podman could not be prepared ` +
      `(scripts/podman-docker-api.sh: ${setup.error?.message ?? `exit ${setup.status}`}):\n${setupOut}\n${INSTALL_HINT}`);
  }
  const dir = "/run/podman";
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, `nrdot-test-${process.pid}.sock`);
  const logPath = join(dir, `nrdot-test-${process.pid}.log`);
  rmSync(socket, { force: true });
  const dockerHost = `unix://${socket}`;
  const log = openSync(logPath, "w");
  const child: ChildProcess = spawn("podman", ["system", "service", "--time=0", dockerHost], { stdio: ["ignore", log, log] });
  closeSync(log);
  let exited = false;
  child.on("exit", () => (exited = true));
  child.on("error", () => (exited = true));
  const deadline = Date.now() + 60_000;
  let v: Version | undefined;
  while (!(v = await version(dockerHost))) {
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill("SIGKILL");
      const out = existsSync(logPath) ? readFileSync(logPath, "utf8").trim() : "";
      throw new Error(`\`podman system service ${dockerHost}\` ${exited ? "exited" : "did not answer in 60 s"}:\n${out}\n${INSTALL_HINT}`);
    }
    await sleep(200);
  }
  process.env.DOCKER_HOST = dockerHost;
  const pid = child.pid;
  return {
    dockerHost,
    kind: "podman",
    started: true,
    description: `no engine answered: started \`podman system service\` (pid ${pid}, ${v.Version ?? "?"}) at ${dockerHost} ` +
      `after scripts/podman-docker-api.sh (${setupOut.split("\n").pop()?.replace(/^podman-docker-api: /, "")}); log ${logPath}`,
    stop: async () => {
      if (!exited) {
        child.kill("SIGTERM");
        for (let i = 0; i < 50 && !exited; i++) await sleep(200);
        if (!exited) child.kill("SIGKILL");
      }
      rmSync(socket, { force: true });
      rmSync(logPath, { force: true });
    },
  };
}
