/**
 * The GitHub App's HTTP side. `/github/*` is GitHub's and the browser's (no API key): the webhook
 * receiver — verify, store the delivery, enqueue, answer — and the manifest and install flows'
 * pages. `/api/v1/github/*` is the project's (API key): the App, install links, installations, the
 * check runs posted.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import { getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import type { AppDeps } from "../deps.ts";
import { createRouter } from "../http/env.ts";
import { ApiError, badRequest, notFound } from "../http/errors.ts";
import { ErrorResponses, errorResponse, json } from "../http/openapi.ts";
import { gitHubFor } from "./app.ts";
import { handles } from "./events.ts";
import { WEBHOOK_JOB } from "./jobs-names.ts";
import { appManifest, manifestFormAction, readManifestTemplate, SETUP_PATHS } from "./manifest.ts";
import { GitHubAppInfo, GitHubCheckRun, GitHubInstallation, InstallLink, WebhookAnswer } from "./model.ts";
import { assertManifestFlowOpen, completeManifestFlow, installLink, linkFromInstallFlow } from "./setup.ts";
import {
  forgetDelivery,
  listCheckRuns,
  listInstallations,
  recordDelivery,
  unlinkInstallation,
} from "./store.ts";

const SETUP_COOKIE = "vigil_github_setup";

const htmlPage = (description: string) => ({
  description,
  content: { "text/html": { schema: z.string() } },
});

const page = (title: string, body: ReturnType<typeof html>) =>
  html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2em}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function githubRoutes(deps: AppDeps) {
  const app = createRouter();
  const github = gitHubFor(deps);
  const db = deps.database.db;
  const publicUrl = (deps.config.VIGIL_PUBLIC_URL ?? `http://localhost:${deps.config.PORT}`).replace(
    /\/+$/,
    "",
  );

  // ---- webhooks ----

  app.openapi(
    createRoute({
      method: "post",
      path: SETUP_PATHS.webhooks,
      summary: "GitHub's webhook deliveries to the App",
      description:
        "Verified with the App's webhook secret (X-Hub-Signature-256), stored by X-GitHub-Delivery (a redelivery is answered 200 and ignored) and worked by the `github.webhook` job, so the answer does not wait for the checks.",
      tags: ["github"],
      security: [],
      request: {
        headers: z.object({
          "x-github-event": z.string().min(1).max(100),
          "x-github-delivery": z.string().min(1).max(200),
          "x-hub-signature-256": z.string().optional(),
        }),
      },
      responses: {
        200: json(WebhookAnswer, "A redelivery, or an event Vigil does not act on"),
        202: json(WebhookAnswer, "Stored and queued"),
        400: ErrorResponses[400],
        401: errorResponse("Signature missing or wrong"),
        503: errorResponse("Vigil is not a GitHub App (yet): the message says what to set"),
      },
    }),
    async (c) => {
      const { webhooks } = await github.require();
      const signature = c.req.header("x-hub-signature-256");
      if (!signature)
        throw new ApiError(
          401,
          "signature_missing",
          "X-Hub-Signature-256 is missing: GitHub signs every delivery with the App's webhook secret",
        );
      const body = await c.req.text();
      const valid = await webhooks.verify(body, signature).catch(() => false);
      if (!valid)
        throw new ApiError(
          401,
          "signature_invalid",
          "X-Hub-Signature-256 does not match the body: is the App's webhook secret the one Vigil has?",
        );
      const headers = c.req.valid("header");
      const event = headers["x-github-event"];
      const deliveryId = headers["x-github-delivery"];
      let payload: { action?: unknown; installation?: { id?: unknown } };
      try {
        payload = JSON.parse(body);
      } catch {
        throw badRequest("The delivery is not JSON: set the App's webhook content type to application/json");
      }
      const action = typeof payload?.action === "string" ? payload.action : undefined;
      if (!handles(event, action, payload))
        return c.json({ delivery: deliveryId, ignored: `${event}${action ? `.${action}` : ""}` }, 200);
      const installationId = typeof payload.installation?.id === "number" ? payload.installation.id : null;
      const fresh = await recordDelivery(db, {
        deliveryId,
        event,
        action: action ?? null,
        installationId,
        payload,
      });
      if (!fresh) return c.json({ delivery: deliveryId, duplicate: true }, 200);
      try {
        await deps.jobs.send(WEBHOOK_JOB, { deliveryId });
      } catch (error) {
        // Not queued: forget it, so GitHub's redelivery is not taken for a duplicate.
        await forgetDelivery(db, deliveryId).catch(() => {});
        throw error;
      }
      return c.json({ delivery: deliveryId, queued: true }, 202);
    },
  );

  // ---- the manifest flow ----

  app.openapi(
    createRoute({
      method: "get",
      path: SETUP_PATHS.start,
      summary: "Create Vigil's GitHub App in one step (GitHub's App-manifest flow)",
      description:
        "A page that posts app.yml's manifest, with this Vigil's addresses, to GitHub. Open it in a browser; only while no App is configured, and with VIGIL_SECRET_KEY set.",
      tags: ["github"],
      security: [],
      request: {
        query: z.object({
          org: z
            .string()
            .min(1)
            .max(100)
            .optional()
            .openapi({ description: "Create the App for this organisation" }),
          name: z
            .string()
            .min(1)
            .max(34)
            .optional()
            .openapi({ description: "The App's name (GitHub's must be unique)" }),
        }),
      },
      responses: {
        200: htmlPage("The page that sends the manifest to GitHub"),
        409: ErrorResponses[409],
        503: ErrorResponses[503],
      },
    }),
    async (c) => {
      await assertManifestFlowOpen(deps, github);
      const { org, name } = c.req.valid("query");
      const state = randomBytes(24).toString("base64url");
      setCookie(c, SETUP_COOKIE, state, {
        httpOnly: true,
        sameSite: "Lax",
        path: SETUP_PATHS.start,
        maxAge: 3600,
        secure: publicUrl.startsWith("https://"),
      });
      const manifest = JSON.stringify(appManifest(readManifestTemplate(), publicUrl, name));
      const action = manifestFormAction(github.endpoints.webUrl, state, org);
      const local = /^https?:\/\/(localhost|127\.|\[::1\])/.test(publicUrl);
      return c.html(
        page(
          "Create Vigil's GitHub App",
          html`<p>GitHub will create the App${org ? html` for <b>${org}</b>` : ""} with the permissions and events in <code>app.yml</code>, then send you back here.</p>
${local ? html`<p><b>Note:</b> VIGIL_PUBLIC_URL is ${publicUrl}; GitHub cannot deliver webhooks there. Set it to the address GitHub can reach.</p>` : ""}
<form method="post" action="${action}"><input type="hidden" name="manifest" value="${manifest}"><button type="submit">Create the App on GitHub</button></form>`,
        ),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: SETUP_PATHS.complete,
      summary: "Where GitHub sends the browser back after creating the App",
      tags: ["github"],
      security: [],
      request: { query: z.object({ code: z.string().min(1).max(200), state: z.string().min(1).max(200) }) },
      responses: {
        200: htmlPage("The App is created; a link installs it"),
        400: ErrorResponses[400],
        409: ErrorResponses[409],
        503: ErrorResponses[503],
      },
    }),
    async (c) => {
      const { code, state } = c.req.valid("query");
      const expected = getCookie(c, SETUP_COOKIE) ?? "";
      if (expected.length !== state.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(state)))
        throw new ApiError(
          400,
          "invalid_state",
          "This browser did not start the App creation (or it took over an hour): start again from GET /github/setup",
        );
      const created = await completeManifestFlow(deps, github, code);
      setCookie(c, SETUP_COOKIE, "", { path: SETUP_PATHS.start, maxAge: 0 });
      return c.html(
        page(
          `${created.name} is ready`,
          html`<p>Vigil is now the GitHub App <a href="${created.htmlUrl}">${created.name}</a> (id ${created.appId}). Its private key and secrets are stored sealed with VIGIL_SECRET_KEY and never shown.</p>
<p>Next, install it on your repositories and link it to a project: <code>GET /api/v1/github/install</code> with the project's API key gives the link.</p>`,
        ),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: SETUP_PATHS.installed,
      summary: "GitHub's setup callback after an installation: links it to the project of the install link",
      tags: ["github"],
      security: [],
      request: {
        query: z.object({
          installation_id: z.coerce.number().int().positive(),
          setup_action: z.string().max(50).optional(),
          state: z.string().max(2000).optional(),
        }),
      },
      responses: {
        200: htmlPage("Linked, or how to link"),
        400: ErrorResponses[400],
        404: ErrorResponses[404],
        409: ErrorResponses[409],
        503: ErrorResponses[503],
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      if (!q.state)
        return c.html(
          page(
            "Installed",
            html`<p>Installation ${q.installation_id} is set up. To use Vigil's lineage and stored predictions in its checks, link it to a project: <code>vigil github link --installation ${q.installation_id} --project NAME</code>, or install through the link <code>GET /api/v1/github/install</code> gives.</p>`,
          ),
          200,
        );
      const linked = await linkFromInstallFlow(deps, github, q.installation_id, q.state);
      return c.html(
        page(
          "Linked",
          html`<p>Installation ${linked.installationId}${linked.account ? html` (${linked.account})` : ""} is linked to your Vigil project: its pull requests get the lineage and contract checks.</p>`,
        ),
        200,
      );
    },
  );

  // ---- the project's API ----

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/github/app",
      summary: "The GitHub App Vigil is (never its secrets)",
      tags: ["github"],
      responses: { 200: json(GitHubAppInfo, "The App"), 401: ErrorResponses[401], 503: ErrorResponses[503] },
    }),
    async (c) => {
      const { source, credentials } = await github.require();
      const htmlUrl = credentials.htmlUrl;
      return c.json(
        {
          source,
          appId: credentials.appId,
          ...(credentials.slug ? { slug: credentials.slug } : {}),
          ...(htmlUrl ? { htmlUrl } : {}),
          apiUrl: github.endpoints.apiUrl,
          webhookUrl: `${publicUrl}${SETUP_PATHS.webhooks}`,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/github/install",
      summary: "A link that installs the App and links the installation to this project",
      description: `GitHub's install page with a signed state (good for an hour); after the install GitHub calls ${SETUP_PATHS.installed}, which links the installation to this project.`,
      tags: ["github"],
      responses: { 200: json(InstallLink, "The link"), 401: ErrorResponses[401], 503: ErrorResponses[503] },
    }),
    async (c) => c.json(await installLink(deps, github, c.get("project").id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/github/installations",
      summary: "The App's installations linked to this project, with their repositories",
      tags: ["github"],
      responses: {
        200: json(z.object({ installations: z.array(GitHubInstallation) }), "Installations"),
        401: ErrorResponses[401],
      },
    }),
    async (c) => {
      const rows = await listInstallations(db, c.get("project").id);
      return c.json(
        {
          installations: rows.map((r) => ({
            id: r.id,
            account: r.accountLogin,
            accountType: r.accountType,
            repositorySelection: r.repositorySelection,
            suspended: r.suspendedAt !== null,
            linkedAt: iso(r.linkedAt),
            linkedBy: r.linkedBy,
            repositories: r.repositories,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/github/installations/{installationId}",
      summary: "Unlink an installation from this project (its checks go on, without lineage)",
      tags: ["github"],
      request: {
        params: z.object({
          installationId: z.coerce
            .number()
            .int()
            .positive()
            .openapi({ param: { name: "installationId", in: "path" } }),
        }),
      },
      responses: { 204: { description: "Unlinked" }, 401: ErrorResponses[401], 404: ErrorResponses[404] },
    }),
    async (c) => {
      const { installationId } = c.req.valid("param");
      if (!(await unlinkInstallation(db, installationId, c.get("project").id)))
        throw notFound(`Installation ${installationId} is not linked to this project`);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/github/check-runs",
      summary: "The check runs Vigil posted for this project's installations, newest first",
      tags: ["github"],
      request: {
        query: z.object({
          repository: z.string().min(3).max(200).optional().openapi({ description: "owner/name" }),
          pull: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: {
        200: json(z.object({ checkRuns: z.array(GitHubCheckRun) }), "Check runs"),
        400: ErrorResponses[400],
        401: ErrorResponses[401],
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listCheckRuns(db, c.get("project").id, {
        ...(q.repository ? { repository: q.repository } : {}),
        ...(q.pull !== undefined ? { pullNumber: q.pull } : {}),
        limit: q.limit,
      });
      return c.json(
        {
          checkRuns: rows.map((r) => ({
            id: r.id,
            repository: r.repository,
            pullNumber: r.pullNumber,
            headSha: r.headSha,
            name: r.name,
            checkRunId: r.checkRunId,
            htmlUrl: r.htmlUrl,
            status: r.status,
            conclusion: r.conclusion,
            title: r.title,
            summary: r.summary,
            annotations: r.annotations,
            createdAt: r.createdAt.toISOString(),
            completedAt: iso(r.completedAt),
          })),
        },
        200,
      );
    },
  );

  return app;
}
