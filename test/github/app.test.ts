import pino from "pino";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { credentialsFromEnv, endpoints, githubApp } from "../../src/github/app.ts";
import { appManifest, manifestFormAction, readManifestTemplate } from "../../src/github/manifest.ts";
import { installState, projectOfState } from "../../src/github/secrets.ts";
import { FakeGitHub } from "./fake-github.ts";

describe("the App factory", () => {
  it("derives GitHub's web address from its API address", () => {
    const at = (GITHUB_API_URL: string, GITHUB_URL?: string) =>
      endpoints({ GITHUB_API_URL, ...(GITHUB_URL ? { GITHUB_URL } : {}) }).webUrl;
    expect(at("https://api.github.com")).toBe("https://github.com");
    expect(at("https://ghe.example.com/api/v3")).toBe("https://ghe.example.com");
    expect(at("https://ghe.example.com/api/v3/")).toBe("https://ghe.example.com");
    expect(at("https://api.acme.ghe.com")).toBe("https://acme.ghe.com");
    expect(at("http://127.0.0.1:9999", "http://127.0.0.1:9998/")).toBe("http://127.0.0.1:9998");
  });

  it("builds an App from the environment that authenticates as itself and as an installation", async () => {
    const fake = await FakeGitHub.start();
    try {
      fake.installation(31, "acme", ["acme/x"]);
      fake.commit("acme/x", "c1", { "a.txt": "hello" });
      const config = loadConfig(fake.env());
      const credentials = credentialsFromEnv(config)!;
      // The one-line \n-escaped key came back as the PEM.
      expect(credentials.privateKey).toBe(fake.privateKey.trim());
      const app = githubApp(credentials, { apiUrl: config.GITHUB_API_URL, log: pino({ level: "silent" }) });
      const { data } = await app.octokit.request("GET /app");
      expect(data?.slug).toBe(fake.slug);
      const octokit = await app.getInstallationOctokit(31);
      const file = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner: "acme",
        repo: "x",
        path: "a.txt",
        ref: "c1",
        mediaType: { format: "raw" },
      });
      expect(file.data).toBe("hello");
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});

describe("install state", () => {
  it("names the project, and is refused when forged, signed with another secret or expired", async () => {
    const { state } = await installState("p-1", "secret-one");
    expect(await projectOfState(state, "secret-one")).toBe("p-1");
    await expect(projectOfState(state, "secret-two")).rejects.toThrow(/invalid or expired/);
    await expect(projectOfState(`${state}x`, "secret-one")).rejects.toThrow(/invalid or expired/);
    const old = await installState("p-1", "secret-one", Date.now() - 2 * 3_600_000);
    await expect(projectOfState(old.state, "secret-one")).rejects.toThrow(/invalid or expired/);
  });
});

describe("app.yml", () => {
  it("asks for the permissions and events the checks and the retraining loop need, and nothing GitHub refuses", () => {
    const template = readManifestTemplate();
    expect(template.default_permissions).toEqual({
      checks: "write",
      contents: "read",
      pull_requests: "read",
      actions: "write",
      metadata: "read",
    });
    // installation* are delivered to every App; GitHub rejects a manifest that lists them.
    expect(template.default_events.sort()).toEqual([
      "check_run",
      "check_suite",
      "pull_request",
      "workflow_run",
    ]);
    const manifest = appManifest(template, "https://vigil.example.com/", "Vigil for Acme");
    expect(manifest).toMatchObject({
      name: "Vigil for Acme",
      hook_attributes: { url: "https://vigil.example.com/github/webhooks" },
      setup_url: "https://vigil.example.com/github/installed",
    });
    expect(manifestFormAction("https://github.com", "s t", "my org")).toBe(
      "https://github.com/organizations/my%20org/settings/apps/new?state=s%20t",
    );
  });
});
