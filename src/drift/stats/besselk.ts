/**
 * Exponentially scaled modified Bessel function of the second kind, e^x·K_ν(x), for real ν and
 * x > 0 — needed only by the Cramér–von Mises limiting distribution (ν = 1/4). No maintained JS
 * library provides fractional orders (stdlib and `bessel` stop at integer orders), so it is
 * computed from K_ν(x) = ∫₀^∞ e^{−x cosh t} cosh(νt) dt with the trapezoidal rule, which converges
 * geometrically for this analytic, doubly-exponentially decaying integrand: with step 1/32 the
 * result is at full double precision for the x the caller uses (x ≥ 1/16·(1)…).
 */
export function besselKScaled(nu: number, x: number): number {
  const h = 1 / 32;
  // e^{−x(cosh t − 1)} < 1e-18 once x(cosh t − 1) > 41.5.
  let s = 0.5; // t = 0 term (cosh 0 = 1, e^0 = 1), halved
  for (let k = 1; ; k++) {
    const t = k * h;
    const term = Math.exp(-x * (Math.cosh(t) - 1)) * Math.cosh(nu * t);
    s += term;
    if (term < 1e-18 * s) break;
  }
  return s * h;
}
