import type { Config } from "../../config.ts";
import { BuiltinEmbedder } from "./builtin.ts";
import { OpenAIEmbedder } from "./openai.ts";
import type { Embedder } from "./types.ts";

const cache = new WeakMap<Config, Embedder>();

/** The embedder the configuration names: an OpenAI-compatible endpoint when set, else the built-in one. */
export function embedderFor(config: Config): Embedder {
  let e = cache.get(config);
  if (!e) {
    e =
      config.VIGIL_EMBEDDINGS_URL && config.VIGIL_EMBEDDINGS_MODEL
        ? new OpenAIEmbedder({
            url: config.VIGIL_EMBEDDINGS_URL,
            model: config.VIGIL_EMBEDDINGS_MODEL,
            apiKey: config.VIGIL_EMBEDDINGS_API_KEY,
          })
        : new BuiltinEmbedder();
    cache.set(config, e);
  }
  return e;
}
