"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way") and Gamma-Gamma
(Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013 note) maximum-likelihood fits
written from the papers' likelihoods, vectorised over customers grouped by (x, t_x, T).

Units: x = repeat purchase days, t_x and T in weeks from the first purchase (the caller
converts). No database here: arrays in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

_BOUND = (1e-4, 1e4)  # every parameter is positive; the box keeps the optimiser finite


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    gamma: float  # in the money unit of the spend given to the fit (VND)


def _grouped(*cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique rows of the columns and how often each occurs (the likelihood is summed per
    unique (x, t_x, T) with that weight: same answer, fewer evaluations)."""
    stacked = np.column_stack([np.asarray(c, dtype=float) for c in cols])
    uniq, counts = np.unique(stacked, axis=0, return_counts=True)
    return uniq, counts.astype(float)


def bgnbd_loglik(params, x, t_x, T) -> np.ndarray:
    """Per-customer log-likelihood, the paper's equation (6) in log form."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    xs = np.where(repeat, x, 1.0)  # keeps b + x - 1 > 0 where the term is unused
    a4 = np.where(repeat, betaln(a + 1, b + xs - 1) - betaln(a, b + x)
                  - (r + x) * np.log(alpha + t_x), -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


def fit_bgnbd(x, t_x, T, start=(1.0, 1.0, 1.0, 1.0)) -> tuple[BgNbd, float]:
    """Maximum likelihood (L-BFGS-B on log-parameters); returns the fit and the total
    log-likelihood."""
    rows, weight = _grouped(x, t_x, T)
    gx, gtx, gT = rows.T
    # alpha is in the time unit: start it near the customers' typical age
    start = np.log(np.array([start[0], max(float(np.mean(T)), 1.0), start[2], start[3]]))

    def nll(logp):
        return -float(np.sum(weight * bgnbd_loglik(np.exp(logp), gx, gtx, gT)))

    res = _minimize(nll, start)
    r, alpha, a, b = np.exp(res.x)
    return BgNbd(float(r), float(alpha), float(a), float(b)), -float(res.fun)


def _minimize(nll, start):
    bounds = [tuple(np.log(_BOUND))] * len(start)
    res = minimize(nll, start, method="L-BFGS-B", bounds=bounds)
    if not np.isfinite(res.fun):
        raise ValueError("the likelihood could not be evaluated at the optimum")
    return res


def p_alive(m: BgNbd, x, t_x, T) -> np.ndarray:
    """P(still active | x, t_x, T), equation (13); 1 for a customer with no repeat yet."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    xs = np.where(x > 0, x, 1.0)
    log_ratio = np.log(m.a) - np.log(m.b + xs - 1) + (m.r + x) * (np.log(m.alpha + T) - np.log(m.alpha + t_x))
    odds = np.where(x > 0, np.exp(np.minimum(log_ratio, 700.0)), 0.0)
    return 1.0 / (1.0 + odds)


def expected_purchases(m: BgNbd, t: float, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected repeat purchases in the next t time units, equation (10)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    r, alpha, a, b = m.r, m.alpha, m.a, m.b
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return head * tail * p_alive(m, x, t_x, T)


def expected_purchases_new(m: BgNbd, t) -> np.ndarray:
    """E[X(t)]: purchases of a customer just acquired in a period of length t, equation (7)."""
    t = np.asarray(t, dtype=float)
    r, alpha, a, b = m.r, m.alpha, m.a, m.b
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


def gg_loglik(params, x, mean_spend) -> np.ndarray:
    """Log density of a customer's mean spend over x purchases (x ≥ 1), Gamma-Gamma."""
    p, q, gamma = params
    x, m = np.asarray(x, dtype=float), np.asarray(mean_spend, dtype=float)
    return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(gamma)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(gamma + m * x))


def fit_gamma_gamma(x, mean_spend) -> tuple[GammaGamma, float]:
    """Maximum likelihood over the customers with x ≥ 1 and a positive mean spend. Spend is
    scaled by its mean while fitting (gamma scales with the money unit; p and q do not)."""
    x, m = np.asarray(x, dtype=float), np.asarray(mean_spend, dtype=float)
    keep = (x >= 1) & (m > 0)
    x, m = x[keep], m[keep]
    scale = float(np.mean(m))
    rows, weight = _grouped(x, m / scale)
    gx, gm = rows.T

    def nll(logp):
        return -float(np.sum(weight * gg_loglik(np.exp(logp), gx, gm)))

    res = _minimize(nll, np.log(np.array([1.0, 2.0, 1.0])))
    p, q, gamma = np.exp(res.x)
    ll = float(np.sum(gg_loglik((p, q, gamma * scale), x, m)))
    return GammaGamma(float(p), float(q), float(gamma * scale)), ll


def expected_spend(m: GammaGamma, x, mean_spend) -> np.ndarray:
    """E[M | p, q, γ, m_x, x]: a weighted mean of the population mean γp/(q−1) and the
    customer's own mean; the population mean alone for x = 0 (needs q > 1)."""
    x, ms = np.asarray(x, dtype=float), np.asarray(mean_spend, dtype=float)
    ms = np.where(x > 0, np.nan_to_num(ms), 0.0)
    return (m.gamma + ms * x) * m.p / (m.p * x + m.q - 1)
