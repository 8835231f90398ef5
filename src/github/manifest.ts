/**
 * The App-manifest flow's manifest: `app.yml` (the repository root) plus Vigil's own addresses. The
 * page GET /github/setup serves posts it to GitHub, which creates the App and sends the browser back
 * with a code Vigil exchanges for the App's credentials.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

export const ManifestTemplateSchema = z
  .object({
    name: z.string().min(1).max(34),
    description: z.string().optional(),
    public: z.boolean().default(false),
    default_permissions: z.record(z.string(), z.enum(["read", "write"])),
    default_events: z.array(z.string()),
  })
  .passthrough();
export type ManifestTemplate = z.infer<typeof ManifestTemplateSchema>;

const APP_YML = new URL("../../app.yml", import.meta.url);

export function readManifestTemplate(): ManifestTemplate {
  return ManifestTemplateSchema.parse(parse(readFileSync(APP_YML, "utf8")));
}

export const SETUP_PATHS = {
  start: "/github/setup",
  complete: "/github/setup/complete",
  installed: "/github/installed",
  webhooks: "/github/webhooks",
} as const;

/** The manifest GitHub gets: the template, Vigil's addresses, and the name asked for (if any). */
export function appManifest(template: ManifestTemplate, publicUrl: string, name?: string) {
  const base = publicUrl.replace(/\/+$/, "");
  return {
    ...template,
    ...(name ? { name } : {}),
    url: base,
    hook_attributes: { url: `${base}${SETUP_PATHS.webhooks}`, active: true },
    redirect_url: `${base}${SETUP_PATHS.complete}`,
    setup_url: `${base}${SETUP_PATHS.installed}`,
    setup_on_update: true,
  };
}

/** Where the manifest is posted: the user's account, or an organisation's. */
export function manifestFormAction(webUrl: string, state: string, org?: string): string {
  const path = org ? `/organizations/${encodeURIComponent(org)}/settings/apps/new` : "/settings/apps/new";
  return `${webUrl}${path}?state=${encodeURIComponent(state)}`;
}
