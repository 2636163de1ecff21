"""The lookalike model: one-hot lead-time tokens → L2 logistic regression (scikit-learn).

Evaluation is time-honest: leads are ordered by creation; the model is trained on those
created before the split day and tested on those created on or after it. The test's AUC has
a 95 % interval (Hanley & McNeil 1982); a forward-chaining cross-validation over the training
leads (each fold trained on earlier leads only) gives a second AUC. The data supports a score
only when train and test each hold at least `min_positives` best customers and the interval's
lower end is above 0.5. The scoring model is then refitted on all leads. Reasons: the largest
positive contributions coef × value (a token's value is 1), as (token, contribution)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import TimeSeriesSplit

C = 1.0  # L2 strength: rare tokens get small weights rather than huge ones
CV_FOLDS = 3
TOP_REASONS = 3


@dataclass
class Evaluation:
    split_on: dt.date | None
    n_train: int
    n_test: int
    positives_train: int
    positives_test: int
    auc: float | None = None
    auc_low: float | None = None
    auc_high: float | None = None
    cv_auc: float | None = None
    lift_top_decile: float | None = None
    verdict: str = "too_few_positives"  # | not_better_than_chance | ok

    @property
    def supported(self) -> bool:
        return self.verdict == "ok"


def new_model() -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=1000)


def auc_interval(auc: float, n_pos: int, n_neg: int) -> tuple[float, float]:
    """95 % interval of an AUC by Hanley & McNeil's standard error."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc)
           + (n_neg - 1) * (q2 - auc * auc)) / (n_pos * n_neg)
    se = math.sqrt(max(var, 0.0))
    return max(0.0, auc - 1.96 * se), min(1.0, auc + 1.96 * se)


def lift_top_decile(y: np.ndarray, score: np.ndarray) -> float | None:
    """Share of best among the top 10 % by score, over the share among all."""
    if len(y) == 0 or y.sum() == 0:
        return None
    top = np.argsort(-score, kind="stable")[: max(1, math.ceil(len(y) / 10))]
    return float(y[top].mean() / y.mean())


def split_day(created: np.ndarray, test_pct: int) -> dt.date | None:
    """The creation day from which leads are tested: about the latest `test_pct` %; every
    lead created that day goes to the test, so no training lead is created on or after it."""
    if len(created) < 2:
        return None
    return created[int(len(created) * (100 - test_pct) / 100)]


def _cv_auc(x, y: np.ndarray) -> float | None:
    aucs = []
    for train, test in TimeSeriesSplit(n_splits=CV_FOLDS).split(x):
        if len(set(y[train])) < 2 or len(set(y[test])) < 2:
            continue
        m = new_model().fit(x[train], y[train])
        aucs.append(roc_auc_score(y[test], m.predict_proba(x[test])[:, 1]))
    return float(np.mean(aucs)) if aucs else None


def evaluate(x, y: np.ndarray, created: np.ndarray, test_pct: int,
             min_positives: int) -> Evaluation:
    """x: rows ordered by creation day `created` (dates); y: 1 = best."""
    split = split_day(created, test_pct)
    train = created < split if split is not None else np.zeros(len(y), bool)
    test = ~train
    ev = Evaluation(split, int(train.sum()), int(test.sum()), int(y[train].sum()),
                    int(y[test].sum()))
    if min(ev.positives_train, ev.positives_test) < min_positives or \
            ev.n_train - ev.positives_train < min_positives or \
            ev.n_test - ev.positives_test < min_positives:
        return ev
    model = new_model().fit(x[train], y[train])
    score = model.predict_proba(x[test])[:, 1]
    ev.auc = float(roc_auc_score(y[test], score))
    ev.auc_low, ev.auc_high = auc_interval(ev.auc, ev.positives_test, ev.n_test - ev.positives_test)
    ev.lift_top_decile = lift_top_decile(y[test], score)
    ev.cv_auc = _cv_auc(x[train], y[train])
    ev.verdict = "ok" if ev.auc_low > 0.5 else "not_better_than_chance"
    return ev


def reasons(model: LogisticRegression, x, names: list[str],
            top: int = TOP_REASONS) -> list[list[tuple[str, float]]]:
    """Per row, the tokens with the largest positive coef × value, largest first; a missing
    field ("…=?") helps the score but explains nothing to a salesperson, so it is left out."""
    coef = np.where([n.endswith("=?") for n in names], 0.0, model.coef_[0])
    contrib = x.multiply(coef).toarray()  # rows × tokens; inactive tokens contribute 0
    order = np.argsort(-contrib, axis=1, kind="stable")[:, :top]
    values = np.take_along_axis(contrib, order, axis=1).round(3)
    return [[(names[j], float(v)) for j, v in zip(cols, vals, strict=True) if v > 0]
            for cols, vals in zip(order.tolist(), values.tolist(), strict=True)]
