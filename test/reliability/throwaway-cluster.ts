import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./processes.ts";

/**
 * A PostgreSQL cluster of the test's own (initdb into a temp dir, its own loopback port) that the
 * test may stop, start and freeze — never the shared server on 5432. As root, the server's tools
 * run as `postgres` (PostgreSQL refuses to run as root) on a directory that user owns.
 */

const run = promisify(execFile);
const BIN = process.env.VIGIL_PG_BIN || "/usr/lib/postgresql/15/bin";
const asRoot = process.getuid?.() === 0;

/** Whether this machine can run a throwaway cluster; the reason if not. */
export function clusterProblem(): string | undefined {
  if (!existsSync(join(BIN, "initdb"))) return `no initdb in ${BIN} (set VIGIL_PG_BIN)`;
  return undefined;
}

async function pg(tool: string, args: string[]): Promise<string> {
  const [file, argv] = asRoot
    ? ["runuser", ["-u", "postgres", "--", join(BIN, tool), ...args]]
    : [join(BIN, tool), args];
  const { stdout } = await run(file, argv, { timeout: 120_000 });
  return stdout;
}

const live = new Set<ThrowawayCluster>();
// Should the test process end without its afterAll, no cluster outlives it: thawed, told to quit
// at once (SIGQUIT: immediate shutdown), its directory removed.
process.once("exit", () => {
  for (const cluster of live) cluster.abandon();
});

export class ThrowawayCluster {
  readonly dir: string;
  private readonly data: string;
  port = 0;

  private constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "vigil-pg-"));
    this.data = join(this.dir, "data");
    if (asRoot) {
      const entry = /^postgres:[^:]*:(\d+):(\d+):/m.exec(readFileSync("/etc/passwd", "utf8"));
      if (!entry) throw new Error("running as root, but there is no postgres user to run the cluster as");
      chownSync(this.dir, Number(entry[1]), Number(entry[2]));
    }
  }

  /** initdb (trust auth, no fsync: it is thrown away) and start on a free port. */
  static async create(): Promise<ThrowawayCluster> {
    const cluster = new ThrowawayCluster();
    live.add(cluster);
    try {
      await pg("initdb", ["-D", cluster.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
      cluster.port = await freePort();
      await cluster.start();
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c fsync=off -c max_connections=100`;
    await pg("pg_ctl", [
      "-D",
      this.data,
      "-o",
      options,
      "-l",
      join(this.dir, "log"),
      "-w",
      "-t",
      "60",
      "start",
    ]);
  }

  /** Down hard, as a crashed or unplugged server: connections cut, the port refuses new ones. */
  async stop(): Promise<void> {
    await pg("pg_ctl", ["-D", this.data, "-m", "immediate", "-w", "stop"]);
  }

  /** The postmaster and all its backends, by their parent: SIGSTOP freezes them, SIGCONT thaws. */
  private pids(): number[] {
    const postmaster = Number(readFileSync(join(this.data, "postmaster.pid"), "utf8").split("\n")[0]);
    const children = readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ")".
          const stat = readFileSync(`/proc/${d}/stat`, "utf8");
          return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [postmaster, ...children];
  }

  /** Like a hung host: connections stay open, nothing answers, no error — until `thaw`. */
  freeze(): void {
    for (const pid of this.pids()) process.kill(pid, "SIGSTOP");
  }

  thaw(): void {
    for (const pid of this.pids()) process.kill(pid, "SIGCONT");
  }

  /** Stopped (thawed first, or it would never stop) and its directory removed. */
  async destroy(): Promise<void> {
    if (existsSync(join(this.data, "postmaster.pid"))) {
      try {
        this.thaw();
      } catch {
        // Already gone.
      }
      await this.stop().catch(() => undefined);
    }
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  /** Synchronous, for an exiting process: no waiting for the server to go. */
  abandon(): void {
    try {
      this.thaw();
      process.kill(this.pids()[0]!, "SIGQUIT");
    } catch {
      // Not running.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
