/** Shapes of the GitHub API routes: zod schemas (published in /openapi.json); TS types come from them. */
import { z } from "@hono/zod-openapi";

export const GitHubAppInfo = z
  .object({
    source: z.enum(["env", "manifest"]).openapi({
      description:
        "Where the App's credentials come from: GITHUB_* variables, or the manifest flow (stored sealed)",
    }),
    appId: z.number().int(),
    slug: z.string().optional(),
    htmlUrl: z.string().optional(),
    apiUrl: z.string(),
    webhookUrl: z
      .string()
      .openapi({ description: "Where GitHub must send webhooks (VIGIL_PUBLIC_URL/github/webhooks)" }),
  })
  .openapi("GitHubApp");

export const InstallLink = z
  .object({
    url: z
      .string()
      .openapi({ description: "GitHub's install page for the App, with a signed state naming this project" }),
    expiresAt: z.string(),
  })
  .openapi("GitHubInstallLink");

export const GitHubInstallation = z
  .object({
    id: z.number().int(),
    account: z.string().nullable(),
    accountType: z.string().nullable(),
    repositorySelection: z.string().nullable(),
    suspended: z.boolean(),
    linkedAt: z.string().nullable(),
    linkedBy: z.string().nullable(),
    repositories: z.array(z.object({ id: z.number().int(), fullName: z.string(), private: z.boolean() })),
  })
  .openapi("GitHubInstallation");

export const GitHubCheckRun = z
  .object({
    id: z.string(),
    repository: z.string(),
    pullNumber: z.number().int().nullable(),
    headSha: z.string(),
    name: z.string(),
    checkRunId: z.number().int().nullable(),
    htmlUrl: z.string().nullable(),
    status: z.string(),
    conclusion: z.string().nullable(),
    title: z.string().nullable(),
    summary: z.string().nullable(),
    annotations: z.number().int(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .openapi("GitHubCheckRun");

export const WebhookAnswer = z
  .object({
    delivery: z.string().optional(),
    queued: z.boolean().optional(),
    duplicate: z.boolean().optional(),
    ignored: z.string().optional(),
  })
  .openapi("GitHubWebhookAnswer");
