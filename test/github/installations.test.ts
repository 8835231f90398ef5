import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createApiKey } from "../../src/auth/store.ts";
import { githubInstallations, githubWebhookDeliveries } from "../../src/db/schema/index.ts";
import { linkInstallation, listInstallations } from "../../src/github/store.ts";
import { useApp, useServedApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { FakeGitHub } from "./fake-github.ts";
import { deliveryRequest, installationPayload, installationRepositoriesPayload } from "./webhooks.ts";

// These tests start the CLI as child processes (tsx compiles it each time): on a loaded 2-core
// machine one start takes 5–10 s, so the default 30 s is too short for a test that runs several.
vi.setConfig({ testTimeout: 120_000 });

// biome-ignore lint/suspicious/noExplicitAny: response bodies
type Json = Record<string, any>;

const bin = join(import.meta.dirname, "../../bin/vigil.js");

describeEachDatabase("GitHub installations and the install flow", (db) => {
  let fake: FakeGitHub;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await FakeGitHub.start();
    Object.assign(env, fake.env({ VIGIL_PUBLIC_URL: "https://vigil.example.test" }));
  });
  afterAll(() => fake?.close());
  const t = useApp(db, { env, jobs: true });
  const served = useServedApp(t);

  async function deliver(event: string, payload: unknown) {
    const { id, init } = await deliveryRequest({ event, payload, secret: fake.webhookSecret });
    const res = await t.app.request("/github/webhooks", init);
    expect(res.status).toBe(202);
    await fake.waitFor(async () => {
      const [row] = await t.deps.database.db
        .select()
        .from(githubWebhookDeliveries)
        .where(eq(githubWebhookDeliveries.deliveryId, id));
      return row?.status === "done";
    });
  }

  const installation = async (id: number) =>
    (await listInstallations(t.deps.database.db)).find((i) => i.id === id);

  it("tracks installations and their repositories from installation events", async () => {
    await deliver(
      "installation",
      installationPayload("created", 7001, "acme", [
        { id: 11, full_name: "acme/shop" },
        { id: 12, full_name: "acme/ml", private: true },
      ]),
    );
    expect(await installation(7001)).toMatchObject({
      accountLogin: "acme",
      accountType: "User",
      projectId: null,
      repositories: [
        { id: 12, fullName: "acme/ml", private: true },
        { id: 11, fullName: "acme/shop", private: false },
      ],
    });

    await deliver(
      "installation_repositories",
      installationRepositoriesPayload("added", 7001, [{ id: 13, full_name: "acme/web" }]),
    );
    await deliver(
      "installation_repositories",
      installationRepositoriesPayload("removed", 7001, [{ id: 11, full_name: "acme/shop" }]),
    );
    expect((await installation(7001))!.repositories.map((r) => r.fullName)).toEqual(["acme/ml", "acme/web"]);

    await deliver("installation", installationPayload("suspend", 7001, "acme"));
    expect((await installation(7001))!.suspendedAt).toBeInstanceOf(Date);
    await deliver("installation", installationPayload("unsuspend", 7001, "acme"));
    expect((await installation(7001))!.suspendedAt).toBeNull();

    await deliver("installation", installationPayload("deleted", 7001, "acme"));
    expect(await installation(7001)).toBeUndefined();
  });

  it("describes the App without its secrets", async () => {
    const res = await t.request("/api/v1/github/app");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      source: "env",
      appId: fake.appId,
      apiUrl: fake.url,
      webhookUrl: "https://vigil.example.test/github/webhooks",
    });
    expect(text).not.toContain(fake.webhookSecret);
    expect(text).not.toContain("PRIVATE KEY");
  });

  it("install link → GitHub's setup callback links the installation to the key's project", async () => {
    fake.installation(7002, "octo-org", ["octo-org/models"]);
    const link = (await (await t.request("/api/v1/github/install")).json()) as Json;
    const url = new URL(link.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/apps/${fake.slug}/installations/new`);
    expect(Date.parse(link.expiresAt)).toBeGreaterThan(Date.now() + 50 * 60_000);
    const state = url.searchParams.get("state")!;

    // GitHub sends the browser back with the installation and the state; the installation is new
    // to Vigil (its webhook may come later), so Vigil asks GitHub about it.
    const res = await t.app.request(
      `/github/installed?installation_id=7002&setup_action=install&state=${state}`,
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("is linked to your Vigil project");
    const listed = (await (await t.request("/api/v1/github/installations")).json()) as Json;
    expect(listed.installations).toEqual([
      expect.objectContaining({ id: 7002, account: "octo-org", linkedBy: "install-flow", suspended: false }),
    ]);
    expect(fake.calls.some((c) => c.path === "/app/installations/7002" && c.auth === "app")).toBe(true);
  });

  it("vigil github install prints the project's install link (a client of the running Vigil)", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, "github", "install"], {
      env: served.env,
    });
    const url = new URL(stdout.split("\n")[0]!);
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/apps/${fake.slug}/installations/new`);
    expect(url.searchParams.get("state")).toBeTruthy();
    expect(stdout).toContain("good until");
  });

  it("refuses a forged state, an installation of another App, and one linked to another project", async () => {
    const link = (await (await t.request("/api/v1/github/install")).json()) as Json;
    const state = new URL(link.url).searchParams.get("state")!;
    const forged = `${state.slice(0, -4)}AAAA`;
    const bad = await t.app.request(`/github/installed?installation_id=7002&state=${forged}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error.code).toBe("invalid_state");

    const foreign = await t.app.request(`/github/installed?installation_id=999999&state=${state}`);
    expect(foreign.status).toBe(404);

    const other = await createApiKey(t.deps.database.db, "other-team");
    await linkInstallation(t.deps.database.db, 7003, other.projectId, "cli");
    const taken = await t.app.request(`/github/installed?installation_id=7003&state=${state}`);
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as Json).error.code).toBe("installation_linked_elsewhere");
    const [row] = await t.deps.database.db
      .select()
      .from(githubInstallations)
      .where(eq(githubInstallations.id, 7003));
    expect(row!.projectId).toBe(other.projectId);

    // Without a state (installed from GitHub directly) the page says how to link.
    const plain = await t.app.request("/github/installed?installation_id=7003&setup_action=install");
    expect(await plain.text()).toContain("vigil github link --installation 7003");
  });

  it("a project unlinks its installation; another project's is not found", async () => {
    expect((await t.request("/api/v1/github/installations/7003", { method: "DELETE" })).status).toBe(404);
    expect((await t.request("/api/v1/github/installations/7002", { method: "DELETE" })).status).toBe(204);
    expect((await t.request("/api/v1/github/installations/7002", { method: "DELETE" })).status).toBe(404);
    const listed = (await (await t.request("/api/v1/github/installations")).json()) as Json;
    expect(listed.installations).toEqual([]);
  });
});

// The CLI opens the database itself: the embedded one belongs to one process, so this suite runs
// on the server database alone (as test/cli-keys.test.ts does).
describeEachDatabase(
  "vigil github",
  (db) => {
    useApp(db); // the project "test"
    it("vigil github link / installations / unlink", () => {
      const cliEnv = { ...process.env, DATABASE_URL: db.url!, LOG_LEVEL: "silent" };
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [bin, "github", ...args], { env: cliEnv, encoding: "utf8" });
      const linked = run("link", "--installation", "7004", "--project", "test");
      expect(linked.status, linked.stderr).toBe(0);
      expect(linked.stdout).toContain("installation 7004 linked to project test");
      const listed = run("installations", "--json");
      expect(JSON.parse(listed.stdout)).toContainEqual(
        expect.objectContaining({ id: 7004, project: "test", linkedBy: "cli" }),
      );
      const unknown = run("link", "--installation", "7004", "--project", "nobody");
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain("no project named nobody");
      const unlinked = run("unlink", "--installation", "7004");
      expect(unlinked.status, unlinked.stderr).toBe(0);
      expect(run("unlink", "--installation", "7004").status).toBe(1);
    });
  },
  ["postgres"],
);
