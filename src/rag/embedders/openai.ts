import OpenAI from "openai";
import type { Embedder } from "./types.ts";

export interface OpenAIEmbedderOptions {
  /** Base URL of an OpenAI-compatible API, e.g. http://ollama:11434/v1 (…/v1/embeddings is appended by the client). */
  url: string;
  model: string;
  apiKey?: string;
  /** Texts per request: endpoints cap batch sizes (OpenAI 2048 inputs; TEI and vLLM less). */
  batchSize?: number;
  /** Retries with exponential backoff on 408/409/429/5xx and connection errors (the client's policy). */
  maxRetries?: number;
  timeoutMs?: number;
}

/**
 * Any OpenAI-compatible /v1/embeddings endpoint (Ollama, vLLM, TEI, OpenAI), through the official
 * client: batching here, retries and backoff by the client. The id carries the endpoint's model, so
 * switching models switches vector spaces (and triggers a re-embed, see src/rag/jobs.ts).
 */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  private readonly client: OpenAI;
  private dims?: number;

  constructor(private readonly options: OpenAIEmbedderOptions) {
    this.id = `openai:${options.model}`.replace(/[^A-Za-z0-9:._@/+-]/g, "_").slice(0, 200);
    this.client = new OpenAI({
      baseURL: options.url.replace(/\/+$/, "").replace(/\/embeddings$/, ""),
      apiKey: options.apiKey || "none",
      maxRetries: options.maxRetries ?? 4,
      timeout: options.timeoutMs ?? 60_000,
    });
  }

  async dimensions(): Promise<number> {
    if (this.dims === undefined) await this.embed(["dimension probe"], "query");
    return this.dims!;
  }

  async embed(texts: string[], _purpose?: "document" | "query"): Promise<number[][]> {
    const size = this.options.batchSize ?? 64;
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += size) {
      // Empty strings are rejected by some servers: a single space embeds as "nothing".
      const input = texts.slice(i, i + size).map((t) => t || " ");
      const res = await this.client.embeddings.create({
        model: this.options.model,
        input,
        encoding_format: "float",
      });
      const data = [...res.data].sort((a, b) => a.index - b.index);
      if (data.length !== input.length)
        throw new Error(`embeddings endpoint returned ${data.length} vectors for ${input.length} inputs`);
      for (const d of data) {
        const v = d.embedding as unknown as number[];
        if (this.dims === undefined) this.dims = v.length;
        else if (v.length !== this.dims)
          throw new Error(
            `embedding dimension changed from ${this.dims} to ${v.length} for model ${this.options.model}`,
          );
        out.push(v);
      }
    }
    return out;
  }
}
