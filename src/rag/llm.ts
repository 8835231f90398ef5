import OpenAI from "openai";
import type { Config } from "../config.ts";

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

export interface Llm {
  complete(messages: ChatMessage[]): Promise<string>;
  /** Yields content deltas as the endpoint streams them. */
  stream(messages: ChatMessage[], signal?: AbortSignal): AsyncIterable<string>;
}

/** An OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp …) through the official client. */
export function llmFor(config: Config): Llm | undefined {
  if (!config.VIGIL_LLM_URL || !config.VIGIL_LLM_MODEL) return undefined;
  const client = new OpenAI({
    baseURL: config.VIGIL_LLM_URL.replace(/\/+$/, "").replace(/\/chat\/completions$/, ""),
    apiKey: config.VIGIL_LLM_API_KEY || "none",
    maxRetries: 2,
    timeout: 120_000,
  });
  const model = config.VIGIL_LLM_MODEL;
  return {
    async complete(messages) {
      const res = await client.chat.completions.create({ model, messages, temperature: 0 });
      return res.choices[0]?.message?.content ?? "";
    },
    async *stream(messages, signal) {
      const stream = await client.chat.completions.create(
        { model, messages, temperature: 0, stream: true },
        { signal },
      );
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content;
        if (delta) yield delta;
      }
    },
  };
}
