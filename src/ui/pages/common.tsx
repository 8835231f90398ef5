import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { Page } from "../layout.tsx";
import type { UiEnv } from "../session.ts";

export type UiContext = Context<UiEnv>;

/** Renders a page inside the layout; `version` is set by routes.tsx for every request. */
export async function render(
  c: Context,
  title: string,
  body: Child,
  options: { charts?: boolean; status?: 200 | 400 | 404 | 502 } = {},
) {
  const project = c.get("project" as never) as UiEnv["Variables"]["project"] | undefined;
  const html = await (
    <Page
      title={title}
      path={c.req.path}
      project={project}
      version={(c.get("uiVersion" as never) as string | undefined) ?? ""}
      charts={options.charts}
    >
      {body}
    </Page>
  ).toString();
  return c.html(`<!doctype html>${html}`, options.status ?? 200);
}

/** The origin the browser used, for commands to copy. */
export const originOf = (c: Context) => new URL(c.req.url).origin;

export function Flash(props: { message?: string | null }) {
  return props.message ? (
    <p class="notice" role="status">
      {props.message}
    </p>
  ) : null;
}
