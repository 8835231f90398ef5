import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { builtinVector } from "../../src/rag/embedders/builtin.ts";

/**
 * A local OpenAI-compatible server for tests (no network here, and none in CI). It checks each
 * request against the shape OpenAI's API reference publishes for POST /v1/embeddings and
 * POST /v1/chat/completions and answers 400 like the real API when it does not match, so a client
 * that drifts from the API fails the test instead of passing against a lenient fake.
 */
const EmbeddingsRequest = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
    encoding_format: z.enum(["float", "base64"]).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
  })
  .strict();

const Message = z.object({
  role: z.enum(["system", "user", "assistant", "developer", "tool"]),
  content: z.string(),
  name: z.string().optional(),
});
const ChatRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(Message).min(1),
    stream: z.boolean().optional(),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().optional(),
    max_completion_tokens: z.number().int().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
  })
  .strict();

export interface FakeOpenAI {
  url: string;
  requests: { path: string; auth: string | undefined; body: unknown }[];
  /** Fail the next n embeddings requests with this status. */
  failEmbeddings(n: number, status?: number): void;
  /** The chat reply (a function of the user message). */
  reply: (userMessage: string) => string;
  dims: number;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

export async function startFakeOpenAI(apiKey = "sk-test-key", dims = 96): Promise<FakeOpenAI> {
  let failures = 0;
  let failStatus = 503;
  const fake = {
    requests: [] as FakeOpenAI["requests"],
    reply: (_: string) => "Restart the pod after checking its logs [1].",
    dims,
  } as FakeOpenAI;
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, message: string) =>
      send(status, { error: { message, type: "invalid_request_error", param: null, code: null } });
    try {
      const body = await readJson(req);
      fake.requests.push({ path: req.url ?? "", auth: req.headers.authorization, body });
      if (req.headers.authorization !== `Bearer ${apiKey}`) return error(401, "Incorrect API key provided");
      if (req.method === "POST" && req.url === "/v1/embeddings") {
        if (failures > 0) {
          failures--;
          return error(failStatus, "overloaded");
        }
        const parsed = EmbeddingsRequest.safeParse(body);
        if (!parsed.success) return error(400, z.prettifyError(parsed.error));
        const input = typeof parsed.data.input === "string" ? [parsed.data.input] : parsed.data.input;
        return send(200, {
          object: "list",
          data: input.map((text, index) => ({
            object: "embedding",
            index,
            embedding: Array.from(builtinVector(text, dims)),
          })),
          model: parsed.data.model,
          usage: { prompt_tokens: input.length, total_tokens: input.length },
        });
      }
      if (req.method === "POST" && req.url === "/v1/chat/completions") {
        const parsed = ChatRequest.safeParse(body);
        if (!parsed.success) return error(400, z.prettifyError(parsed.error));
        const user = parsed.data.messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
        const text = fake.reply(user);
        const base = { id: "chatcmpl-test", created: 1_700_000_000, model: parsed.data.model };
        if (!parsed.data.stream) {
          return send(200, {
            ...base,
            object: "chat.completion",
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: text },
                finish_reason: "stop",
                logprobs: null,
              },
            ],
            usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
          });
        }
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        const pieces = text.match(/.{1,8}/gs) ?? [];
        const chunk = (delta: object, finish: string | null) =>
          `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        res.write(chunk({ role: "assistant", content: "" }, null));
        for (const p of pieces) res.write(chunk({ content: p }, null));
        res.write(chunk({}, "stop"));
        res.end("data: [DONE]\n\n");
        return;
      }
      error(404, `no route ${req.method} ${req.url}`);
    } catch (e) {
      error(400, String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}/v1`;
  fake.failEmbeddings = (n, status = 503) => {
    failures = n;
    failStatus = status;
  };
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
