import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubAppCredentials } from "../../src/db/schema/index.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { FakeGitHub } from "./fake-github.ts";
import { deliveryRequest, installationPayload } from "./webhooks.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies
type Json = Record<string, any>;

const SECRET_KEY = "a-test-secret-key-of-at-least-32-characters";

describeEachDatabase("Vigil without a GitHub App", (db) => {
  const t = useApp(db);

  it("answers the GitHub routes 503 saying what to set, and the rest of Vigil works", async () => {
    const { init } = await deliveryRequest({ event: "installation", payload: {}, secret: "x" });
    const hook = await t.app.request("/github/webhooks", init);
    expect(hook.status).toBe(503);
    const body = ((await hook.json()) as Json).error;
    expect(body.code).toBe("github_not_configured");
    for (const name of ["GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET", "/github/setup"])
      expect(body.message).toContain(name);
    expect((await t.request("/api/v1/github/install")).status).toBe(503);
    expect((await t.request("/api/v1/github/app")).status).toBe(503);
    // The manifest flow needs a key to seal the App's secrets with.
    const setup = await t.app.request("/github/setup");
    expect(setup.status).toBe(503);
    expect(((await setup.json()) as Json).error.message).toContain("VIGIL_SECRET_KEY");
    expect((await t.request("/api/v1/whoami")).status).toBe(200);
  });
});

describeEachDatabase("GitHub App-manifest flow", (db) => {
  let fake: FakeGitHub;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await FakeGitHub.start();
    Object.assign(env, {
      GITHUB_API_URL: fake.url,
      GITHUB_URL: fake.url,
      VIGIL_SECRET_KEY: SECRET_KEY,
      VIGIL_PUBLIC_URL: "https://vigil.example.test",
    });
  });
  afterAll(() => fake?.close());
  const t = useApp(db, { env, jobs: true });
  let cookie = "";
  let state = "";

  it("serves a page that posts app.yml's manifest, with Vigil's addresses, to GitHub", async () => {
    const res = await t.app.request("/github/setup?org=acme");
    expect(res.status).toBe(200);
    const page = await res.text();
    const action = /action="([^"]+)"/.exec(page)![1]!.replace(/&amp;/g, "&");
    const url = new URL(action);
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/organizations/acme/settings/apps/new`);
    state = url.searchParams.get("state")!;
    const manifest = JSON.parse(
      /name="manifest" value="([^"]+)"/
        .exec(page)![1]!
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, "&"),
    );
    expect(manifest).toMatchObject({
      url: "https://vigil.example.test",
      hook_attributes: { url: "https://vigil.example.test/github/webhooks", active: true },
      redirect_url: "https://vigil.example.test/github/setup/complete",
      setup_url: "https://vigil.example.test/github/installed",
      default_permissions: {
        checks: "write",
        contents: "read",
        pull_requests: "read",
        actions: "write",
        metadata: "read",
      },
    });
    expect(manifest.default_events.sort()).toEqual([
      "check_run",
      "check_suite",
      "pull_request",
      "workflow_run",
    ]);
    const set = res.headers.get("set-cookie")!;
    expect(set).toContain("HttpOnly");
    expect(set).toContain("SameSite=Lax");
    cookie = set.split(";")[0]!;
    expect(cookie).toBe(`vigil_github_setup=${state}`);
  });

  it("refuses GitHub's redirect in a browser that did not start the flow", async () => {
    const { code } = fake.manifestCode();
    const res = await t.app.request(`/github/setup/complete?code=${code}&state=${state}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error.code).toBe("invalid_state");
  });

  let made: ReturnType<FakeGitHub["manifestCode"]>;
  it("exchanges the code for the App and keeps its secrets sealed, never shown", async () => {
    made = fake.manifestCode();
    const res = await t.app.request(`/github/setup/complete?code=${made.code}&state=${state}`, {
      headers: { cookie },
    });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("is ready");
    expect(page).not.toContain(made.webhookSecret);
    expect(page).not.toContain("PRIVATE KEY");

    const [row] = await t.deps.database.db.select().from(githubAppCredentials);
    expect(row).toMatchObject({ appId: made.id, slug: `vigil-made-${made.id}`, apiUrl: fake.url });
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(made.webhookSecret);
    expect(stored).not.toContain("PRIVATE KEY");
    expect(stored).not.toContain("client-secret");

    const app = await t.request("/api/v1/github/app");
    const text = await app.text();
    expect(JSON.parse(text)).toMatchObject({
      source: "manifest",
      appId: made.id,
      slug: `vigil-made-${made.id}`,
    });
    expect(text).not.toContain(made.webhookSecret);
  });

  it("works as the App from then on: webhooks with its secret, install links with its page", async () => {
    const { init } = await deliveryRequest({
      event: "installation",
      payload: installationPayload("created", 8001, "acme"),
      secret: made.webhookSecret,
    });
    expect((await t.app.request("/github/webhooks", init)).status).toBe(202);
    const wrong = await deliveryRequest({ event: "installation", payload: {}, secret: fake.webhookSecret });
    expect((await t.app.request("/github/webhooks", wrong.init)).status).toBe(401);
    const link = (await (await t.request("/api/v1/github/install")).json()) as Json;
    expect(link.url).toContain(`${fake.url}/apps/vigil-made-${made.id}/installations/new?state=`);
  });

  it("creates the App once: the flow answers 409 afterwards", async () => {
    expect((await t.app.request("/github/setup")).status).toBe(409);
    const again = await t.app.request(
      `/github/setup/complete?code=${fake.manifestCode().code}&state=${state}`,
      {
        headers: { cookie },
      },
    );
    expect(again.status).toBe(409);
  });
});

describe("sealed App credentials", () => {
  it("open only with the key they were sealed with", async () => {
    const { openSecrets, sealSecrets } = await import("../../src/github/secrets.ts");
    const sealed = sealSecrets({ pem: "-----BEGIN RSA PRIVATE KEY-----\nx", webhookSecret: "w" }, SECRET_KEY);
    expect(sealed).not.toContain("PRIVATE");
    expect(openSecrets(sealed, SECRET_KEY)).toEqual({
      pem: "-----BEGIN RSA PRIVATE KEY-----\nx",
      webhookSecret: "w",
    });
    expect(() => openSecrets(sealed, `${SECRET_KEY}-other`)).toThrow(
      /cannot be opened with this VIGIL_SECRET_KEY/,
    );
    const [v, iv, tag, data] = sealed.split(".");
    // One bit of the ciphertext flipped (in its bytes: editing base64 text may change only padding bits).
    const bytes = Buffer.from(data!, "base64url");
    bytes[bytes.length - 1]! ^= 1;
    const flipped = `${v}.${iv}.${tag}.${bytes.toString("base64url")}`;
    expect(() => openSecrets(flipped, SECRET_KEY)).toThrow(/cannot be opened/);
  });
});
