import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Copy, DockerfileParser } from "dockerfile-ast";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine runs on the machines this project is built on, so the image and the compose
// file are checked for their structure here; `docker build` and `docker compose up` are what a
// user runs.
const root = join(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

describe("Dockerfile", () => {
  const dockerfile = DockerfileParser.parse(read("Dockerfile"));
  const stages = dockerfile.getFROMs();
  const instructions = dockerfile.getInstructions();
  const final = instructions.slice(instructions.indexOf(stages.at(-1)!));
  const args = (keyword: string) =>
    final.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? "");

  it("is multi-stage, from pinned images, and runs as an unprivileged user", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const from of stages) {
      expect(from.getImageTag(), from.getImageName() ?? "").toMatch(/^\d/); // a version, never latest
    }
    expect(args("USER")).toEqual(["node"]);
  });

  it("checks its own health, serves on 8080 and starts `vigil serve`", () => {
    expect(args("HEALTHCHECK").join(" ")).toMatch(/\/readyz/);
    expect(args("EXPOSE")).toEqual(["8080"]);
    expect(args("ENTRYPOINT").join(" ")).toContain("bin/vigil.js");
    expect(args("CMD").join(" ")).toContain("serve");
  });

  it("copies what exists: the sources, migrations, the bin, the patches npm ci applies, actions/, app.yml", () => {
    const copied = instructions
      .filter((i): i is Copy => i instanceof Copy && i.getFromFlag() === null) // from the build context
      .flatMap((i) =>
        i
          .getArguments()
          .slice(0, -1)
          .map((a) => a.getValue()),
      );
    expect(copied).toEqual(
      expect.arrayContaining(["src", "drizzle", "bin", "patches", "package-lock.json", "actions", "app.yml"]),
    );
    for (const path of copied) expect(existsSync(join(root, path)), path).toBe(true);
  });
});

describe("docker-compose.yml", () => {
  const compose = parse(read("docker-compose.yml")) as {
    services: Record<
      string,
      {
        image?: string;
        build?: string;
        command?: string[];
        environment?: Record<string, string>;
        volumes?: string[];
        depends_on?: unknown;
      }
    >;
  };
  const { services } = compose;

  it("runs Vigil and a worker on PostgreSQL with pgvector, with Prometheus and Grafana beside them", () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(["postgres", "vigil", "worker", "prometheus", "grafana"]),
    );
    expect(services.postgres!.image).toMatch(/^pgvector\/pgvector:/);
    expect(services.vigil!.build).toBe(".");
    expect(services.worker!.command).toEqual(["worker"]);
    for (const name of ["vigil", "worker"]) {
      expect(services[name]!.environment!.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    }
  });

  it("mounts configuration that exists in the repository", () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(":");
        if (source!.startsWith(".")) {
          expect(existsSync(join(root, source!)), source).toBe(true);
        }
      }
    }
  });

  const promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].find(existsSync);
  it.skipIf(!promtool)(
    "Prometheus' own promtool accepts its configuration (skipped only where promtool is not installed)",
    () => {
      const out = execFileSync(
        promtool!,
        ["check", "config", join(root, "dashboards/prometheus/prometheus.yml")],
        {
          encoding: "utf8",
        },
      );
      expect(out).toMatch(/SUCCESS/);
    },
  );
});
