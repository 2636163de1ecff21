"""The touched-customer ids of an import come back sorted, unique and complete, whatever
their order, repeats and Nones, also across the compactions a long import triggers."""

import random

from crm_data.imports.idlist import IdList


def test_ids_come_back_sorted_and_unique_in_batches():
    rng = random.Random(7)
    ids, seen = IdList(), set()
    ids._limit = 50  # compact often, as a million-row import does past a million ids
    for _ in range(40):
        chunk = [rng.choice([None, *range(1, 300)]) for _ in range(rng.randint(0, 30))]
        ids.update(chunk)
        seen.update(i for i in chunk if i is not None)
    batches = list(ids.batches(17))
    assert [i for b in batches for i in b] == sorted(seen)
    assert all(len(b) == 17 for b in batches[:-1]) and len(ids) == len(seen)
    assert ids._limit >= 50  # grows with what is left, so it does not compact every chunk


def test_empty():
    ids = IdList()
    ids.update([None])
    assert list(ids.batches(5)) == [] and len(ids) == 0
