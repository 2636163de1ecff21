"""BG/NBD and Gamma-Gamma (crm_data.clv.model) against the papers, on data simulated from
the models themselves (fixed seeds; no database)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import hyp2f1

from crm_data.clv import model


def _beta(a, b):
    return math.exp(math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))


def _paper_likelihood(r, alpha, a, b, x, t_x, T):
    """Fader, Hardie & Lee (2005), equation (6), written out independently."""
    common = math.exp(math.lgamma(r + x) - math.lgamma(r)) * alpha ** r
    first = _beta(a, b + x) / _beta(a, b) * common / (alpha + T) ** (r + x)
    second = 0.0
    if x > 0:
        second = _beta(a + 1, b + x - 1) / _beta(a, b) * common / (alpha + t_x) ** (r + x)
    return first + second


def _paper_conditional(r, alpha, a, b, x, t_x, T, t):
    """Equation (10): expected purchases in (T, T + t]."""
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1,
                                                                  t / (alpha + T + t))
    alive = 1 / (1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    return head * tail * alive


def simulate(r, alpha, a, b, T, rng, holdout=0.0):
    """Each customer: λ ~ Gamma(r, α), p ~ Beta(a, b); Poisson purchases at rate λ, and after
    every repeat purchase a drop-out with probability p. Returns x, t_x over (0, T] and the
    purchases in (T, T + holdout]."""
    T = np.asarray(T, dtype=float)
    n = len(T)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x, t_x, later = np.zeros(n), np.zeros(n), np.zeros(n)
    for i in range(n):
        t, end = 0.0, T[i] + holdout
        while True:
            t += rng.exponential(1 / lam[i])
            if t > end:
                break
            if t <= T[i]:
                x[i] += 1
                t_x[i] = t
            else:
                later[i] += 1
            if rng.random() < p[i]:
                break
    return x, t_x, later


PARAMS = [(0.25, 4.0, 0.8, 2.5), (1.2, 10.0, 0.4, 3.0)]


def test_loglik_equals_the_paper_formula():
    cases = [(0, 0.0, 30.0), (1, 5.0, 30.0), (4, 20.5, 39.0), (12, 51.0, 52.0), (2, 0.5, 1.0)]
    for params in PARAMS:
        got = model.bgnbd_loglik(params, *map(np.array, zip(*cases, strict=True)))
        want = [math.log(_paper_likelihood(*params, *c)) for c in cases]
        assert got == pytest.approx(want, rel=1e-10)


def test_conditional_expectation_and_p_alive_equal_the_paper():
    m = model.BgNbd(0.6, 8.0, 1.7, 3.2)  # a > 1: (a - 1) in the denominator
    for x, t_x, T in [(0, 0.0, 20.0), (3, 10.0, 40.0), (7, 39.0, 40.0)]:
        got = model.expected_purchases(m, 13.0, x, t_x, T)
        assert float(got) == pytest.approx(_paper_conditional(0.6, 8.0, 1.7, 3.2, x, t_x, T, 13.0), rel=1e-10)
    assert float(model.p_alive(m, 0, 0.0, 50.0)) == 1.0
    # a customer silent since long ago is less likely alive than one who just bought
    assert model.p_alive(m, 5, 5.0, 50.0) < model.p_alive(m, 5, 49.0, 50.0)


@pytest.mark.parametrize("params", PARAMS)
def test_fit_recovers_simulated_parameters(params):
    """4,000 customers with ages spread over 1–2 years: each parameter within 25 % of the
    truth (the sampling error at this size is a few per cent to ~15 % for a and b)."""
    rng = np.random.default_rng(2026)
    T = rng.uniform(52, 104, 4000)
    x, t_x, _ = simulate(*params, T, rng)
    fit, ll = model.fit_bgnbd(x, t_x, T)
    got = (fit.r, fit.alpha, fit.a, fit.b)
    for g, want in zip(got, params, strict=True):
        assert g == pytest.approx(want, rel=0.25)
    assert ll == pytest.approx(float(np.sum(model.bgnbd_loglik(got, x, t_x, T))))
    # the maximum: the truth explains the data no better than the fit
    assert ll >= float(np.sum(model.bgnbd_loglik(params, x, t_x, T))) - 1e-6


def test_holdout_purchases_match_the_prediction():
    """Fit on a 52-week calibration period, predict the next 26 weeks: the total predicted
    is within 10 % of the total bought, and so is each group by calibration frequency
    with enough customers (0, 1, 2, 3+)."""
    rng = np.random.default_rng(11)
    T = rng.uniform(26, 52, 5000)
    x, t_x, later = simulate(0.5, 6.0, 0.7, 2.8, T, rng, holdout=26.0)
    fit, _ = model.fit_bgnbd(x, t_x, T)
    predicted = model.expected_purchases(fit, 26.0, x, t_x, T)
    assert predicted.sum() == pytest.approx(later.sum(), rel=0.10)
    for lo, hi in [(0, 0), (1, 1), (2, 2), (3, 10**6)]:
        group = (x >= lo) & (x <= hi)
        assert predicted[group].sum() == pytest.approx(later[group].sum(), rel=0.15)


def _gg_sample(p, q, gamma, x, rng):
    """ν ~ Gamma(q, γ); each purchase's spend ~ Gamma(p, ν); the mean of x of them."""
    nu = rng.gamma(q, 1 / gamma, len(x))
    return rng.gamma(p * x, 1 / nu) / x  # a sum of x Gamma(p, ν) is Gamma(px, ν)


@pytest.mark.parametrize("params", [(6.0, 4.0, 150_000.0), (2.5, 8.0, 2_000_000.0)])
def test_gamma_gamma_recovers_parameters_in_dong(params):
    rng = np.random.default_rng(5)
    x = rng.integers(1, 12, 5000).astype(float)
    m = _gg_sample(*params, x, rng)
    fit, _ = model.fit_gamma_gamma(x, m)
    assert (fit.p, fit.q, fit.gamma) == pytest.approx(params, rel=0.25)


def test_gamma_gamma_density_and_expectation_equal_the_paper():
    p, q, gamma = 6.0, 4.0, 15.0
    for x, mx in [(1, 20.0), (3, 7.5), (10, 42.0)]:
        # the density of the mean of x Gamma(p, ν) spends, ν ~ Gamma(q, γ), in closed form
        dens = (math.exp(math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q))
                * gamma ** q * x ** (p * x) * mx ** (p * x - 1) / (gamma + mx * x) ** (p * x + q))
        assert float(model.gg_loglik((p, q, gamma), x, mx)) == pytest.approx(math.log(dens), rel=1e-10)
        # E[M | m_x, x] = (q − 1)/(px + q − 1) · γp/(q − 1) + px/(px + q − 1) · m_x
        want = (q - 1) / (p * x + q - 1) * gamma * p / (q - 1) + p * x / (p * x + q - 1) * mx
        assert float(model.expected_spend(model.GammaGamma(p, q, gamma), x, mx)) == pytest.approx(want)
