#!/usr/bin/env python3
"""Writes test/drift/stats/fixtures/*.json: expected drift-test results computed by scipy/numpy.

Samples are described by specs (dist, n, seed, loc, scale, step) and regenerated bit-for-bit by
src/drift/stats/generate.ts, so 100k-value cases cost a few bytes. Small hand-made edge cases are
stored inline as arrays. Run: python3 scripts/drift-fixtures.py  (numpy + scipy required).
Tests never call Python; re-run this only when cases change, and commit its output.
"""
import json
import math
import os
import warnings

import numpy as np
from scipy import stats
from scipy.spatial import distance

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "test", "drift", "stats", "fixtures")
U32 = np.uint32


# ---------------------------------------------------------------- generator (mirror of generate.ts)
def lowbias32(x):
    x = np.asarray(x, dtype=U32)
    x = x ^ (x >> U32(16))
    x = x * U32(0x7FEB352D)
    x = x ^ (x >> U32(15))
    x = x * U32(0x846CA68B)
    x = x ^ (x >> U32(16))
    return x


def uniform_at(seed, j):
    key = lowbias32(U32((seed ^ 0x5BD1E995) & 0xFFFFFFFF))
    return lowbias32(lowbias32(np.asarray(j, dtype=np.uint64).astype(U32)) ^ key).astype(np.float64) / 4294967296.0


def generate(spec):
    if isinstance(spec, list):
        return np.array(spec, dtype=np.float64)
    n, seed = spec["n"], spec["seed"]
    loc, scale = spec.get("loc", 0.0), spec.get("scale", 1.0)
    i = np.arange(n, dtype=np.uint64)
    d = spec["dist"]
    if d == "normal":
        s = np.zeros(n)
        for r in range(12):  # same summation order as the TS loop
            s = s + uniform_at(seed, 12 * i + r)
        v = loc + scale * (s - 6.0)
    elif d == "uniform":
        v = loc + scale * uniform_at(seed, i)
    elif d == "skew":
        v = loc + scale * (uniform_at(seed, 3 * i) * uniform_at(seed, 3 * i + 1) * uniform_at(seed, 3 * i + 2))
    elif d == "bernoulli":
        v = loc + (uniform_at(seed, i) < scale).astype(np.float64)
    else:
        v = loc + np.floor(uniform_at(seed, i) * scale)
    if "step" in spec:
        v = np.floor(v / spec["step"] + 0.5) * spec["step"]
    return v


def N(n, seed, loc=0.0, scale=1.0, **kw):
    return dict(dist="normal", n=n, seed=seed, loc=loc, scale=scale, **kw)


# ---------------------------------------------------------------- numeric cases
NUMERIC = [
    ("n5-identical-dist", N(5, 1), N(5, 2)),
    ("n5-vs-8-shifted", N(5, 3), N(8, 4, loc=2.0)),
    ("n7-vs-12", N(7, 5), N(12, 6, scale=2.0)),
    ("n8-vs-30-shift", N(8, 7), N(30, 8, loc=0.8)),
    ("n10-same-sample", N(10, 9), N(10, 9)),
    ("n20-vs-15", N(20, 10), N(15, 11, loc=0.5)),
    ("n20-vs-20-ties", N(20, 12, step=0.5), N(20, 13, step=0.5, loc=0.3)),
    ("n25-vs-40-scaled", N(25, 14), N(40, 15, scale=3.0)),
    ("n50-uniform-vs-normal", dict(dist="uniform", n=50, seed=16, loc=-1.7, scale=3.4), N(50, 17)),
    ("n100-vs-80-skew", dict(dist="skew", n=100, seed=18), dict(dist="skew", n=80, seed=19, scale=1.3)),
    ("n200-vs-300", N(200, 20), N(300, 21, loc=0.1)),
    ("n500-ties", N(500, 22, step=0.25), N(500, 23, step=0.25, loc=0.05)),
    ("n1000-same-dist", N(1000, 24), N(1000, 25)),
    ("n2000-vs-1500-shift", N(2000, 26), N(1500, 27, loc=0.15)),
    ("n5000-scaled", N(5000, 28), N(5000, 29, scale=1.1)),
    ("n10000-vs-9000", N(10000, 30), N(9000, 31, loc=0.03)),
    ("n10001-vs-5000-asymp", N(10001, 32), N(5000, 33, loc=0.04)),
    ("n20000-vs-100", N(20000, 34), N(100, 35, loc=0.4)),
    ("n50000-same-dist", N(50000, 36), N(50000, 37)),
    ("n100000-shift-small", N(100000, 38), N(100000, 39, loc=0.01)),
    ("n100000-shift-large", N(100000, 40), N(100000, 41, loc=0.5)),
    ("n100000-ties", N(100000, 42, step=0.5), N(100000, 43, step=0.5, loc=0.02)),
    ("one-sided-6-vs-1000", N(6, 44), N(1000, 45, loc=1.0)),
    ("one-sided-1000-vs-9", N(1000, 46), N(9, 47, loc=-0.9)),
    ("inline-small-ties", [1, 2, 2, 3, 3, 3, 4], [2, 3, 3, 4, 4, 5, 5, 6]),
    ("inline-identical", [0.5, 1.5, 2.5, 3.5, 4.5, 5.5], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]),
]


def case(name, ref, cur, **res):
    out = dict(name=name, reference=ref, current=cur)
    for k, v in res.items():
        out[k] = None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)
    return out


def ks_cases():
    out = []
    for name, r, c in NUMERIC:
        a, b = generate(r), generate(c)
        res = stats.ks_2samp(a, b, method="auto")
        out.append(case(name, r, c, statistic=res.statistic, pValue=res.pvalue))
    # Asymptotic branches of the Kolmogorov distribution: sizes chosen so round(n1 n2/(n1+n2)) spans
    # n <= 140 (Durbin matrix, Pomeranz, Smirnov) and n > 140 (Durbin, Pelz-Good, Smirnov).
    for i, (n1, n2, loc) in enumerate([(10001, 20, 0.3), (10001, 60, 0.5), (12000, 150, 0.0),
                                       (12000, 400, 0.05), (15000, 15000, 0.0), (30000, 3000, 0.08),
                                       (11000, 30, 1.5), (11000, 100, 0.2)]):
        r, c = N(n1, 100 + i), N(n2, 200 + i, loc=loc)
        res = stats.ks_2samp(generate(r), generate(c), method="auto")
        out.append(case(f"asymp-{n1}-{n2}-loc{loc}", r, c, statistic=res.statistic, pValue=res.pvalue))
    return out


def simple_numeric(fn, skip=()):
    out = []
    for name, r, c in NUMERIC:
        if name in skip:
            continue
        stat, p = fn(generate(r), generate(c))
        out.append(case(name, r, c, statistic=stat, pValue=p))
    return out


def wasserstein(a, b):
    return stats.wasserstein_distance(a, b) / max(np.std(a), 0.001), None


def energy(a, b):
    return stats.energy_distance(a, b), None


def anderson(a, b):
    if len(np.unique(np.concatenate([a, b]))) < 2:
        return None, None
    res = stats.anderson_ksamp([a, b], variant="midrank")
    return res.statistic, res.pvalue


def cvm(a, b):
    res = stats.cramervonmises_2samp(a, b, method="auto")
    return res.statistic, res.pvalue


def mwu(a, b):
    res = stats.mannwhitneyu(a, b)
    return res.statistic, res.pvalue


def welch(a, b):
    res = stats.ttest_ind(a, b, equal_var=False)
    return res.statistic, res.pvalue


# ---------------------------------------------------------------- binning (documented in binning.ts)
N_BINS = 30


def fill_zeroes(p):
    p = p.copy()
    nz = p[p != 0]
    fill = nz.min() / 10**6 if nz.min() <= 0.0001 else 0.0001
    p[p == 0] = fill
    return p


def binned(a, b, categorical, fill=True):
    if not categorical and len(np.unique(a)) > 20:
        edges = np.histogram_bin_edges(np.concatenate([a, b]), bins=N_BINS)
        pa = np.histogram(a, edges)[0] / len(a)
        pb = np.histogram(b, edges)[0] / len(b)
    else:
        keys = np.unique(np.concatenate([a, b]))
        pa = np.array([(a == k).sum() for k in keys]) / len(a)
        pb = np.array([(b == k).sum() for k in keys]) / len(b)
    if fill:
        pa, pb = fill_zeroes(pa), fill_zeroes(pb)
    return pa, pb


def psi(pa, pb):
    return float(np.sum((pa - pb) * np.log(pa / pb)))


def divergences(a, b, categorical):
    pa, pb = binned(a, b, categorical)
    ra, rb = binned(a, b, categorical, fill=False)
    return dict(
        psi=psi(pa, pb),
        kl_div=float(stats.entropy(pa, pb)),
        jensenshannon=float(distance.jensenshannon(pa, pb)),
        hellinger=float(np.sqrt(np.sum((np.sqrt(ra) - np.sqrt(rb)) ** 2)) / np.sqrt(2)),
    )


# ---------------------------------------------------------------- MMD (no scipy equivalent)
MMD_MAX = 500
MMD_PERMS = 100


def subsample(x, seed):
    """Seeded partial Fisher-Yates with the shared generator: first MMD_MAX of a shuffle."""
    x = x.copy()
    n = len(x)
    if n <= MMD_MAX:
        return x
    for i in range(MMD_MAX):
        j = i + int(math.floor(float(uniform_at(seed, i)) * (n - i)))
        x[i], x[j] = x[j], x[i]
    return x[:MMD_MAX]


def mmd(a, b, seed=0):
    a, b = subsample(a, seed + 1), subsample(b, seed + 2)
    z = np.concatenate([a, b])
    n, m = len(a), len(b)
    diffs = np.abs(z[:, None] - z[None, :])
    iu = np.triu_indices(len(z), 1)
    med = np.median(diffs[iu])
    if med == 0:
        med = 1.0
    K = np.exp(-(diffs**2) / (2 * med * med))

    def stat(idx):
        x, y = idx[:n], idx[n:]
        return K[np.ix_(x, x)].mean() + K[np.ix_(y, y)].mean() - 2 * K[np.ix_(x, y)].mean()

    idx = np.arange(n + m)
    observed = stat(idx)
    count = 0
    for p in range(MMD_PERMS):
        perm = idx.copy()
        for i in range(n + m - 1, 0, -1):
            j = int(math.floor(float(uniform_at(seed + 1000 + p, i)) * (i + 1)))
            perm[i], perm[j] = perm[j], perm[i]
        if stat(perm) >= observed - 1e-12 * max(1.0, abs(observed)):
            count += 1
    return observed, (count + 1) / (MMD_PERMS + 1)


# ---------------------------------------------------------------- categorical cases
def C(n, seed, k, loc=0.0):
    return dict(dist="int", n=n, seed=seed, loc=loc, scale=k)


def B(n, seed, p):
    return dict(dist="bernoulli", n=n, seed=seed, scale=p)


CATEGORICAL = [
    ("k3-n5", C(5, 1, 3), C(5, 2, 3)),
    ("k3-n10-vs-12", C(10, 3, 3), C(12, 4, 3)),
    ("k4-n30-shift", C(30, 5, 4), C(30, 6, 4, loc=1)),
    ("k5-n50", C(50, 7, 5), C(50, 8, 5)),
    ("k3-n100-unseen", C(100, 9, 3), C(100, 10, 4)),
    ("k6-n200", C(200, 11, 6), C(250, 12, 6)),
    ("k4-n500-shift", C(500, 13, 4), C(500, 14, 5)),
    ("k10-n1000", C(1000, 15, 10), C(1000, 16, 10)),
    ("k10-n1000-shift", C(1000, 17, 10), C(800, 18, 10, loc=1)),
    ("k3-n5000", C(5000, 19, 3), C(5000, 20, 3)),
    ("k8-n10000", C(10000, 21, 8), C(9000, 22, 8)),
    ("k20-n20000", C(20000, 23, 20), C(20000, 24, 20)),
    ("k5-n50000-shift", C(50000, 25, 5), C(50000, 26, 6)),
    ("k4-n100000", C(100000, 27, 4), C(100000, 28, 4)),
    ("k4-n100000-shift", C(100000, 29, 4), C(100000, 30, 5)),
    ("k3-n100000-vs-7", C(100000, 31, 3), C(7, 32, 3)),
    ("k3-n8-vs-1000", C(8, 33, 3), C(1000, 34, 3)),
    ("k12-n300-vs-50", C(300, 35, 12), C(50, 36, 12)),
    ("inline-k3", [0, 1, 2, 2, 2, 1], [2, 2, 2, 2, 1, 0, 0]),
    ("inline-unseen", [0, 0, 1, 1], [0, 1, 2, 2, 3]),
    ("inline-same", [1, 2, 3, 1, 2, 3], [3, 2, 1, 3, 2, 1]),
]

BINARY = [
    ("b-n5", C(5, 41, 2), C(5, 42, 2)),
    ("b-n6-vs-9", C(6, 43, 2), C(9, 44, 2)),
    ("b-n10", C(10, 45, 2), C(10, 46, 2)),
    ("b-n20-vs-30", C(20, 47, 2), C(30, 48, 2)),
    ("b-n50", C(50, 49, 2), C(50, 50, 2)),
    ("b-n100-vs-80", C(100, 51, 2), C(80, 52, 2)),
    ("b-n200", C(200, 53, 2), C(200, 54, 2)),
    ("b-n500-unbalanced", B(500, 55, 0.1), C(500, 56, 2)),
    ("b-n1000", C(1000, 57, 2), C(1000, 58, 2)),
    ("b-n1000-shift", C(1000, 59, 2), B(1000, 60, 0.6)),
    ("b-n5000", C(5000, 61, 2), C(5000, 62, 2)),
    ("b-n10000-vs-7", C(10000, 63, 2), C(7, 64, 2)),
    ("b-n20000", C(20000, 65, 2), C(20000, 66, 2)),
    ("b-n50000-shift", C(50000, 67, 2), B(50000, 68, 0.52)),
    ("b-n100000", C(100000, 69, 2), C(100000, 70, 2)),
    ("b-n100000-slight", C(100000, 71, 2), B(100000, 72, 0.505)),
    ("b-n8-vs-1000", C(8, 73, 2), C(1000, 74, 2)),
    ("inline-extreme", [0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 0, 1, 1]),
    ("inline-one-zero-cell", [0, 0, 0, 1, 1], [0, 0, 0, 0]),
    ("inline-balanced", [0, 1, 0, 1], [1, 0, 1, 0]),
    ("inline-larger", [0] * 30 + [1] * 10, [0] * 12 + [1] * 25),
    ("inline-larger-swapped", [0] * 12 + [1] * 25, [0] * 30 + [1] * 10),
    ("inline-upper-branch", [0] * 31 + [1] * 18, [0] * 22 + [1] * 35),
]


def table(a, b):
    keys = np.unique(np.concatenate([a, b]))
    return np.array([[(a == k).sum() for k in keys], [(b == k).sum() for k in keys]], dtype=np.float64)


def chisq(a, b, lam=None):
    t = table(a, b)
    res = stats.chi2_contingency(t, correction=True, lambda_=lam)
    return res.statistic, res.pvalue


def ztest(a, b):
    keys = np.unique(np.concatenate([a, b]))
    n1, n2 = len(a), len(b)
    p1 = (a == keys[0]).sum() / n1
    p2 = (b == keys[0]).sum() / n2
    P = (p1 * n1 + p2 * n2) / (n1 + n2)
    if P <= 0 or P >= 1:
        return 0.0, 1.0
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return z, 2 * stats.norm.sf(abs(z))


def fisher(a, b):
    t = table(a, b)
    if t.shape[1] == 1:
        t = np.hstack([t, np.zeros((2, 1))])
    res = stats.fisher_exact(t.astype(np.int64))
    return res.statistic, res.pvalue


def categorical_fixtures(cases, fn):
    out = []
    for name, r, c in cases:
        stat, p = fn(generate(r), generate(c))
        out.append(case(name, r, c, statistic=stat, pValue=p))
    return out


def write(name, cases, note):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(dict(test=name, scipy=__import__("scipy").__version__, note=note, cases=cases), f, indent=None)
        f.write("\n")
    print(f"{name}: {len(cases)} cases")


def main():
    write("generator", [dict(spec=s, values=generate(s)[:12].tolist(), sum=float(np.sum(generate(s))))
                        for s in [N(1000, 7, loc=1.5, scale=2.0), dict(dist="uniform", n=50, seed=3),
                                  dict(dist="skew", n=20, seed=9, scale=4.0), C(30, 11, 5, loc=2),
                                  N(40, 13, step=0.25)]], "first values must match bit for bit")
    write("ks", ks_cases(), "scipy.stats.ks_2samp(method='auto')")
    write("wasserstein", simple_numeric(wasserstein), "scipy.stats.wasserstein_distance / max(np.std(ref), 0.001)")
    write("energy", simple_numeric(energy), "scipy.stats.energy_distance")
    write("anderson", simple_numeric(anderson, skip=("inline-identical",)),
          "scipy.stats.anderson_ksamp(variant='midrank'); p interpolated and capped to [0.001, 0.25] by scipy")
    write("cvm", simple_numeric(cvm), "scipy.stats.cramervonmises_2samp(method='auto')")
    write("mannwhitney", simple_numeric(mwu), "scipy.stats.mannwhitneyu (two-sided, auto, continuity)")
    write("ttest", simple_numeric(welch, skip=("inline-identical",)), "scipy.stats.ttest_ind(equal_var=False)")
    mmd_cases = [n for n in NUMERIC if n[0] not in ("n100000-ties",)]
    out = []
    for name, r, c in mmd_cases:
        s, p = mmd(generate(r), generate(c))
        out.append(case(name, r, c, statistic=s, pValue=p))
    write("mmd", out, "numpy reference implementation (no scipy equivalent); permutation p with the shared generator")
    div = []
    for name, r, c in NUMERIC:
        d = divergences(generate(r), generate(c), categorical=False)
        div.append(dict(name=name, reference=r, current=c, categorical=False, **d))
    for name, r, c in CATEGORICAL + BINARY:
        d = divergences(generate(r), generate(c), categorical=True)
        div.append(dict(name=name, reference=r, current=c, categorical=True, **d))
    write("divergence", div, "numpy.histogram_bin_edges(30) on pooled data, Evidently-like zero fill; scipy entropy/jensenshannon")
    write("chisquare", categorical_fixtures(CATEGORICAL + BINARY, chisq), "scipy.stats.chi2_contingency(correction=True)")
    write("gtest", categorical_fixtures(CATEGORICAL + BINARY, lambda a, b: chisq(a, b, "log-likelihood")),
          "scipy.stats.chi2_contingency(lambda_='log-likelihood')")
    write("ztest", categorical_fixtures(BINARY, ztest), "two-proportion z-test, p = 2 * scipy.stats.norm.sf(|z|)")
    write("fisher", categorical_fixtures(BINARY, fisher), "scipy.stats.fisher_exact (two-sided)")


if __name__ == "__main__":
    main()
