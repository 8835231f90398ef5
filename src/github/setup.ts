/**
 * Becoming a GitHub App and getting installed, as services the routes call: the manifest flow's
 * code exchange, install links whose signed state names a project, and linking the installation
 * GitHub's setup callback reports.
 */
import { RequestError } from "@octokit/request-error";
import type { AppDeps } from "../deps.ts";
import { DomainError } from "../lib/errors.ts";
import { type GitHub, GitHubOctokit, octokitOptions } from "./app.ts";
import { installState, projectOfState, sealSecrets } from "./secrets.ts";
import { getInstallation, linkInstallation, storeAppCredentials, upsertInstallation } from "./store.ts";

/** The secret install links are signed with: VIGIL_SECRET_KEY, else the App's webhook secret. */
async function stateSecret(deps: AppDeps, github: GitHub): Promise<string> {
  return deps.config.VIGIL_SECRET_KEY ?? (await github.require()).credentials.webhookSecret;
}

export const alreadyConfigured = () =>
  new DomainError(
    "conflict",
    "github_already_configured",
    "Vigil is a GitHub App already; the manifest flow creates one only when none is configured",
  );

export const secretKeyNeeded = () =>
  new DomainError(
    "unavailable",
    "github_secret_key_missing",
    "Set VIGIL_SECRET_KEY (at least 32 characters) first: the App's private key and secrets are stored sealed with it",
  );

/** Whether the manifest flow may start: no App yet, and a key to seal the new one's secrets with. */
export async function assertManifestFlowOpen(deps: AppDeps, github: GitHub): Promise<void> {
  if (await github.resolve()) throw alreadyConfigured();
  if (!deps.config.VIGIL_SECRET_KEY) throw secretKeyNeeded();
}

/** Exchanges the manifest flow's code for the new App's credentials and stores them sealed. */
export async function completeManifestFlow(deps: AppDeps, github: GitHub, code: string) {
  await assertManifestFlowOpen(deps, github);
  const octokit = new GitHubOctokit(octokitOptions(github.endpoints.apiUrl, deps.log));
  let created: Awaited<ReturnType<typeof convert>>;
  async function convert() {
    const { data } = await octokit.request("POST /app-manifests/{code}/conversions", { code });
    return data;
  }
  try {
    created = await convert();
  } catch (error) {
    if (error instanceof RequestError && error.status < 500)
      throw new DomainError(
        "invalid",
        "invalid_manifest_code",
        `GitHub did not accept the code (${error.status}): it is good for one hour and one use; start again from GET /github/setup`,
      );
    throw error;
  }
  const stored = await storeAppCredentials(deps.database.db, {
    appId: created.id,
    slug: created.slug ?? String(created.id),
    name: created.name,
    owner: (created.owner as { login?: string } | null)?.login ?? null,
    htmlUrl: created.html_url,
    apiUrl: github.endpoints.apiUrl,
    clientId: created.client_id,
    sealedSecrets: sealSecrets(
      {
        pem: created.pem,
        webhookSecret: created.webhook_secret ?? "",
        ...(created.client_secret ? { clientSecret: created.client_secret } : {}),
      },
      deps.config.VIGIL_SECRET_KEY!,
    ),
  });
  if (!stored) throw alreadyConfigured();
  github.forget();
  deps.log.info({ appId: created.id, slug: created.slug }, "GitHub App created by the manifest flow");
  return { appId: created.id, name: created.name, htmlUrl: created.html_url };
}

/** GitHub's install page for the App, with a state that links the installation to `projectId`. */
export async function installLink(deps: AppDeps, github: GitHub, projectId: string) {
  const htmlUrl = await github.appHtmlUrl();
  const { state, expiresAt } = await installState(projectId, await stateSecret(deps, github));
  const url = new URL(`${htmlUrl}/installations/new`);
  url.searchParams.set("state", state);
  return { url: url.toString(), expiresAt: expiresAt.toISOString() };
}

/**
 * Links the installation GitHub's setup callback names to the project its state names. The
 * installation id comes from the browser, so it must belong to this App (asked of GitHub when
 * unknown) and must not be linked to another project already (moving it takes `vigil github link`).
 */
export async function linkFromInstallFlow(
  deps: AppDeps,
  github: GitHub,
  installationId: number,
  state: string,
) {
  const projectId = await projectOfState(state, await stateSecret(deps, github));
  const db = deps.database.db;
  let installation = await getInstallation(db, installationId);
  if (!installation) {
    const { app } = await github.require();
    try {
      const { data } = await app.octokit.request("GET /app/installations/{installation_id}", {
        installation_id: installationId,
      });
      const account = data.account as { login?: string; slug?: string; type?: string } | null;
      await upsertInstallation(db, {
        id: installationId,
        accountLogin: account?.login ?? account?.slug ?? null,
        accountType: account?.type ?? null,
        repositorySelection: data.repository_selection,
      });
    } catch (error) {
      if (error instanceof RequestError && error.status === 404)
        throw new DomainError(
          "not_found",
          "not_found",
          `Installation ${installationId} is not an installation of this App`,
        );
      throw error;
    }
    installation = await getInstallation(db, installationId);
  }
  if (installation?.projectId && installation.projectId !== projectId)
    throw new DomainError(
      "conflict",
      "installation_linked_elsewhere",
      `Installation ${installationId} is linked to another Vigil project; an operator can move it with vigil github link`,
    );
  await linkInstallation(db, installationId, projectId, "install-flow");
  return { installationId, projectId, account: installation?.accountLogin ?? null };
}
