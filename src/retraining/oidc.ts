/**
 * A retraining result proves it comes from the run Vigil dispatched with that run's GitHub Actions
 * OIDC token: a JWT the issuer (VIGIL_RETRAIN_OIDC_ISSUER) signs, for the audience the workflow
 * asked for (VIGIL_PUBLIC_URL), naming the repository and the run. Verified with `jose` against the
 * issuer's keys, found through its OpenID discovery document (GitHub.com and Enterprise Server
 * publish their JWKS at different paths).
 */
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
} from "jose";
import { z } from "zod";
import type { Config } from "../config.ts";
import { DomainError } from "../lib/errors.ts";

/** The claims of GitHub's token that say which run it is. */
export const RunClaims = z.object({
  sub: z.string(),
  repository: z.string().min(3),
  run_id: z.string().regex(/^\d{1,19}$/),
  run_attempt: z
    .string()
    .regex(/^\d{1,9}$/)
    .optional(),
  event_name: z.string().optional(),
  /** owner/repo/.github/workflows/<file>@<ref> */
  workflow_ref: z.string().optional(),
});
export type RunClaims = z.infer<typeof RunClaims>;

/** Whether a bearer token is a JWT (an API key is not): then it is an OIDC token to verify. */
export function isJwt(token: string): boolean {
  if (token.split(".").length !== 3) return false;
  try {
    return typeof decodeProtectedHeader(token).alg === "string";
  } catch {
    return false;
  }
}

const unauthorized = (code: string, message: string) => new DomainError("invalid", code, message);

const Discovery = z.object({ jwks_uri: z.url({ protocol: /^https?$/ }) });

export class OidcVerifier {
  private jwks?: Promise<ReturnType<typeof createRemoteJWKSet>>;

  constructor(
    readonly issuer: string,
    private readonly audiences: string[],
    private readonly timeoutMs = 5000,
  ) {}

  /**
   * The token's run claims, verified; DomainErrors otherwise (`token_*`: the token is wrong, which
   * routes answer 401; `oidc_unavailable`: the issuer's keys could not be fetched, 503).
   */
  async verify(token: string): Promise<RunClaims> {
    // Checked before any key is fetched: a token of another issuer never makes Vigil call out.
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw unauthorized("token_invalid", "The bearer token is not a readable JWT");
    }
    if (unverified.iss !== this.issuer)
      throw unauthorized(
        "token_issuer",
        `The token was not issued by ${this.issuer} (VIGIL_RETRAIN_OIDC_ISSUER); send the run's GitHub Actions OIDC token or a project API key`,
      );
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keys(), {
        issuer: this.issuer,
        audience: this.audiences,
        algorithms: ["RS256"],
        clockTolerance: 30,
        requiredClaims: ["exp", "iat", "repository", "run_id"],
      }));
    } catch (error) {
      throw this.explain(error);
    }
    const claims = RunClaims.safeParse(payload);
    if (!claims.success)
      throw unauthorized("token_claims", "The token does not name a GitHub Actions run (repository, run_id)");
    return claims.data;
  }

  private explain(error: unknown): DomainError {
    if (error instanceof DomainError) return error;
    if (error instanceof errors.JWTExpired) return unauthorized("token_expired", "The token has expired");
    if (error instanceof errors.JWTClaimValidationFailed)
      return unauthorized(
        "token_claims",
        error.claim === "aud"
          ? `The token's audience is not this Vigil (${this.audiences[0]}): request it with that audience`
          : `The token's ${error.claim} claim is not acceptable: ${error.reason}`,
      );
    if (
      error instanceof errors.JWSSignatureVerificationFailed ||
      error instanceof errors.JWKSNoMatchingKey ||
      error instanceof errors.JWSInvalid ||
      error instanceof errors.JWTInvalid ||
      error instanceof errors.JOSEAlgNotAllowed ||
      error instanceof errors.JOSENotSupported
    )
      return unauthorized("token_invalid", `The token's signature does not verify (${error.code})`);
    // The keys could not be had: timeouts, network errors, a broken JWKS.
    this.jwks = undefined;
    return new DomainError(
      "unavailable",
      "oidc_unavailable",
      `The token issuer's keys could not be fetched (${this.issuer}); retry later`,
      undefined,
      30,
    );
  }

  private keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.jwks ??= this.discover().catch((error) => {
      this.jwks = undefined;
      throw error;
    });
    return this.jwks;
  }

  private async discover() {
    const url = `${this.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: "error" });
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    const { jwks_uri } = Discovery.parse(await res.json());
    return createRemoteJWKSet(new URL(jwks_uri), { timeoutDuration: this.timeoutMs });
  }
}

const verifiers = new WeakMap<Config, OidcVerifier>();

/** The process's verifier for this configuration (its keys cached across requests). */
export function oidcVerifierFor(config: Config): OidcVerifier {
  let verifier = verifiers.get(config);
  if (!verifier) {
    const audience = (config.VIGIL_PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, "");
    verifier = new OidcVerifier(config.VIGIL_RETRAIN_OIDC_ISSUER.replace(/\/+$/, ""), [
      audience,
      `${audience}/`,
    ]);
    verifiers.set(config, verifier);
  }
  return verifier;
}
