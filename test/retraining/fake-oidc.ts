/**
 * A GitHub Actions OIDC issuer on loopback for the tests: OpenID discovery and a JWKS with a key
 * generated at test time (jose), and tokens shaped like the ones a workflow run gets from
 * ACTIONS_ID_TOKEN_REQUEST_URL. `VIGIL_RETRAIN_OIDC_ISSUER` points at it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export interface RunTokenClaims {
  repository: string;
  run_id: string | number;
  run_attempt?: string;
  event_name?: string;
  workflow?: string;
  workflow_ref?: string;
  ref?: string;
}

export class FakeOidcIssuer {
  url = "";
  /** Requests served (the verifier must fetch the keys once, then cache them). */
  readonly requests: string[] = [];
  private server!: Server;
  private privateKey!: CryptoKey;
  private jwk!: JWK;
  readonly kid = "fake-actions-key";

  static async start(): Promise<FakeOidcIssuer> {
    const issuer = new FakeOidcIssuer();
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    issuer.privateKey = privateKey;
    issuer.jwk = { ...(await exportJWK(publicKey)), kid: issuer.kid, alg: "RS256", use: "sig" };
    issuer.server = createServer((req, res) => {
      issuer.requests.push(req.url ?? "");
      res.setHeader("content-type", "application/json");
      if (req.url === "/.well-known/openid-configuration") {
        res.end(JSON.stringify({ issuer: issuer.url, jwks_uri: `${issuer.url}/.well-known/jwks` }));
      } else if (req.url === "/.well-known/jwks") {
        res.end(JSON.stringify({ keys: [issuer.jwk] }));
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
    await new Promise<void>((resolve) => issuer.server.listen(0, "127.0.0.1", resolve));
    issuer.url = `http://127.0.0.1:${(issuer.server.address() as AddressInfo).port}`;
    return issuer;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /**
   * A run's token. `signWith` another key makes a bad signature under this issuer's kid; `expiresIn`
   * in seconds (negative: already expired); `issuer` and `audience` override the right ones.
   */
  async token(
    claims: RunTokenClaims,
    options: { audience: string; issuer?: string; expiresIn?: number; signWith?: CryptoKey },
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (options.expiresIn ?? 300);
    const [owner] = claims.repository.split("/");
    return new SignJWT({
      ref: "refs/heads/main",
      event_name: "workflow_dispatch",
      repository_owner: owner,
      run_attempt: "1",
      ...claims,
      run_id: String(claims.run_id),
    })
      .setProtectedHeader({ alg: "RS256", kid: this.kid, typ: "JWT" })
      .setIssuer(options.issuer ?? this.url)
      .setAudience(options.audience)
      .setSubject(`repo:${claims.repository}:ref:refs/heads/main`)
      .setIssuedAt(Math.min(now, exp - 60))
      .setNotBefore(Math.min(now, exp - 60))
      .setExpirationTime(exp)
      .setJti(crypto.randomUUID())
      .sign(options.signWith ?? this.privateKey);
  }
}
