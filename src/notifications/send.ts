import http from "node:http";
import https from "node:https";
import { guardedLookup } from "./ssrf.ts";

export interface SendResult {
  status: number;
  /** The first bytes of the response body, for the delivery's last_error. */
  body: string;
}

/**
 * POSTs a body with node:http(s) rather than fetch because the request needs the guarded `lookup`
 * (SSRF check at connect time). Redirects are not followed (a 3xx is reported as such).
 */
export function postBody(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<SendResult> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { "content-length": Buffer.byteLength(body).toString(), ...headers },
        lookup: guardedLookup(options.allowPrivate) as never,
        timeout: options.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size < 2048) chunks.push(chunk);
          size += chunk.length;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8").slice(0, 500),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
