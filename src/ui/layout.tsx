import type { Child } from "hono/jsx";
import type { Project } from "./session.ts";

export const NAV = [
  { href: "/", label: "Overview" },
  { href: "/incidents", label: "Incidents" },
  { href: "/traces", label: "Traces" },
  { href: "/monitors", label: "Monitors" },
  { href: "/datasets", label: "Datasets" },
  { href: "/retraining", label: "Retraining" },
  { href: "/ask", label: "Ask" },
] as const;

/** The nav entry a path belongs to: `/incidents/…` is Incidents, `/` only itself. */
export function currentSection(path: string): string {
  const hit = NAV.filter((n) => n.href !== "/" && (path === n.href || path.startsWith(`${n.href}/`)));
  if (hit[0]) return hit[0].href;
  if (path.startsWith("/reports/")) return "/monitors";
  return path === "/" ? "/" : "";
}

export function Page(props: {
  title: string;
  path: string;
  project?: Project;
  version: string;
  charts?: boolean;
  children: Child;
}) {
  const section = currentSection(props.path);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <link rel="icon" href="data:," />
        <title>{`${props.title} · Vigil`}</title>
        <link rel="stylesheet" href="/ui/assets/style.css" />
        {props.charts ? <link rel="stylesheet" href="/ui/assets/uPlot.min.css" /> : null}
        {props.charts ? <script src="/ui/assets/uPlot.iife.min.js" defer /> : null}
        <script src="/ui/assets/app.js" defer />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            Vigil
          </a>
          {props.project ? (
            <nav aria-label="Main">
              <ul>
                {NAV.map((n) => (
                  <li>
                    <a href={n.href} aria-current={section === n.href ? "page" : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          {props.project ? (
            <form method="post" action="/sign-out" class="who">
              <span class="muted">
                Project <strong>{props.project.name}</strong>
              </span>
              <button type="submit" class="link">
                Sign out
              </button>
            </form>
          ) : null}
        </header>
        <main id="main">{props.children}</main>
        <footer class="muted">
          Vigil v{props.version} · <a href="/docs">API documentation</a> · <a href="/metrics">metrics</a>
        </footer>
      </body>
    </html>
  );
}

/** What to do when a list is empty: a sentence and the command to copy. */
export function EmptyState(props: { title: string; children?: Child; command?: string }) {
  return (
    <section class="empty" aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
      {props.command ? (
        <div class="copy">
          <pre>
            <code>{props.command}</code>
          </pre>
          <button type="button" data-copy={props.command}>
            Copy
          </button>
        </div>
      ) : null}
    </section>
  );
}

export function Badge(props: { kind: string; children: Child }) {
  return <span class={`badge b-${props.kind}`}>{props.children}</span>;
}

/** A chart drawn by the island (assets/app.js) from its data attribute; the table is the fallback. */
export function Chart(props: { id: string; label: string; spec: unknown }) {
  return (
    <figure class="chart">
      <div id={props.id} data-chart={JSON.stringify(props.spec)} role="img" aria-label={props.label} />
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}

export function Pager(props: { next?: string | null; first?: string; label: string }) {
  if (!props.next && !props.first) return null;
  return (
    <nav class="pager" aria-label={props.label}>
      {props.first ? <a href={props.first}>First page</a> : null}
      {props.next ? (
        <a href={props.next} rel="next">
          Next page
        </a>
      ) : null}
    </nav>
  );
}

/** A search snippet: the index marks matched terms with <mark>; everything else is text. */
export function Snippet(props: { text?: string }) {
  if (!props.text) return null;
  const parts = props.text.split(/<mark>(.*?)<\/mark>/g);
  return <div class="muted">{parts.map((p, i) => (i % 2 ? <mark>{p}</mark> : p))}</div>;
}
