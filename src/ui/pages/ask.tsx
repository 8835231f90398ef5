import { streamSSE } from "hono/streaming";
import { EmptyState, Snippet } from "../layout.tsx";
import { originOf, render, type UiContext } from "./common.tsx";
import { runbooksCommand } from "./empty-commands.ts";

interface Citation {
  n: number;
  path: string;
  title: string;
  heading?: string;
  kind: string;
}

interface Hit {
  path: string;
  title: string;
  heading?: string;
  snippet?: string;
  kind: string;
}

const MAX_QUESTION = 2000;

/**
 * Ask: search and a cited answer over runbooks and incidents. Without script the server answers the
 * GET form whole; with the island the answer streams from POST /ask/stream.
 */
export async function askPage(c: UiContext) {
  const api = c.get("api");
  const q = (c.req.query("q") ?? "").trim().slice(0, MAX_QUESTION);
  const [docs, results] = await Promise.all([
    api.get<{ documents: unknown[] }>("/api/v1/documents", { limit: 1 }),
    q
      ? Promise.all([
          api.post<{ results: Hit[] }>("/api/v1/search", { query: q, k: 8 }),
          api.post<{ answer: string; citations: Citation[]; mode: string }>("/api/v1/ask", { question: q }),
        ])
      : Promise.resolve(undefined),
  ]);
  const [search, answer] = results ?? [];
  return render(
    c,
    "Ask",
    <>
      <h1>Ask</h1>
      <search>
        <form method="get" action="/ask" data-ask-stream="" class="filters">
          <label style="flex:1">
            Question or search
            <input
              name="q"
              value={q}
              maxlength={MAX_QUESTION}
              required
              placeholder="What do I do when card payments fail?"
            />
          </label>
          <button type="submit" class="primary">
            Ask
          </button>
        </form>
      </search>
      {docs.documents.length === 0 ? (
        <EmptyState title="Nothing indexed yet" command={runbooksCommand(originOf(c))}>
          <p>
            Answers cite your runbooks and past incidents (incidents are indexed on their own). Index a folder
            of Markdown runbooks:
          </p>
        </EmptyState>
      ) : null}
      <section aria-labelledby="answer-title" aria-live="polite">
        <h2 id="answer-title">Answer</h2>
        <p id="ask-status" class="muted" />
        <div id="answer" class="answer" data-testid="answer">
          {answer?.answer ?? ""}
        </div>
        <ol id="citations">
          {(answer?.citations ?? []).map((ci) => (
            <li>
              [{ci.n}] {ci.title}
              {ci.heading ? ` — ${ci.heading}` : ""} ({ci.path})
            </li>
          ))}
        </ol>
      </section>
      {search ? (
        <section aria-labelledby="results-title">
          <h2 id="results-title">Search results</h2>
          {search.results.length ? (
            <ol data-testid="search-results">
              {search.results.map((h) => {
                const incident = /^incidents\/(.+)$/.exec(h.path)?.[1];
                return (
                  <li>
                    {incident ? (
                      <a href={`/incidents/${encodeURIComponent(incident)}`}>{h.title}</a>
                    ) : (
                      <strong>{h.title}</strong>
                    )}
                    {h.heading && h.heading !== h.title ? <span class="muted"> — {h.heading}</span> : null}{" "}
                    <code>{h.path}</code>
                    <Snippet text={h.snippet} />
                  </li>
                );
              })}
            </ol>
          ) : (
            <p class="muted">Nothing matches.</p>
          )}
        </section>
      ) : null}
    </>,
  );
}

/** POST /ask/stream (form: q): the API's answer stream passed through, as server-sent events. */
export async function askStream(c: UiContext) {
  const form = await c.req.parseBody();
  const q = typeof form.q === "string" ? form.q.trim().slice(0, MAX_QUESTION) : "";
  if (!q) return c.json({ error: { code: "invalid", message: "A question is required" } }, 400);
  const res = await c.get("api").raw("/api/v1/ask", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ question: q, stream: true }),
  });
  if (!res.ok || !res.body) {
    return streamSSE(c, async (stream) => {
      await stream.writeSSE({
        event: "error",
        data: JSON.stringify({ message: `The answer failed (${res.status})` }),
      });
    });
  }
  return new Response(res.body, {
    status: 200,
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}
