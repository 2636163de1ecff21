"""What the parts share: the stage context, the day length, numpy drawing and grouping helpers."""

from __future__ import annotations

import numpy as np

_HOUR_WEIGHTS = np.array([3, 6, 8, 9, 7, 5, 6, 7, 7, 8, 9, 10, 8], dtype=float)  # 8h … 20h

_DAY = 86_400


def _p(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _pick(rng: np.random.Generator, pairs, size: int) -> np.ndarray:
    """Indices into `pairs` ((value, weight) …) drawn by weight."""
    return rng.choice(len(pairs), size=size, p=_p([w for _, w in pairs]))


def _obj(values, index) -> np.ndarray:
    """values[index] as an object array that shares the few string objects."""
    return np.array(values, dtype=object)[np.asarray(index, dtype=np.int64)]


def _values(pairs) -> np.ndarray:
    return np.array([v for v, _ in pairs], dtype=object)


def _shop_seconds(rng: np.random.Generator, size: int) -> np.ndarray:
    """Second of the day in shop hours (8:00–20:59), busiest at lunch and in the evening."""
    hours = 8 + rng.choice(len(_HOUR_WEIGHTS), size=size, p=_p(_HOUR_WEIGHTS))
    return (hours * 3600 + rng.integers(0, 3600, size)).astype(np.int64)


def _round_k(values) -> np.ndarray:
    """Round to whole thousands of đồng."""
    return (np.round(np.asarray(values, dtype=float) / 1000.0) * 1000).astype(np.int64)


def _group_starts(keys: np.ndarray) -> np.ndarray:
    """Start index of every run of equal values in a sorted array."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])


def _group_ends(keys: np.ndarray) -> np.ndarray:
    """End index (exclusive) of every run of equal values in a sorted array."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.r_[_group_starts(keys)[1:], len(keys)]


def _rank_in_group(keys: np.ndarray) -> np.ndarray:
    """0-based position of every element inside its run of equal keys (sorted array)."""
    n = len(keys)
    starts = _group_starts(keys)
    lengths = _group_ends(keys) - starts
    return np.arange(n) - np.repeat(starts, lengths)


class _Ctx:
    """What one stage of the generator hands to the next: plain attributes, mostly numpy
    arrays indexed by customer position (0-based; the id is position + 1), by order
    position, and so on."""
