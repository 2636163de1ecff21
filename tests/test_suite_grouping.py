"""`make test` runs the suite with `--dist loadgroup` so that each browser module (one app,
one sign-in) stays on one worker. When that grouping silently stops working (pytest 9.2 with
xdist 3.8 did: xdist #1386) every module starts its app once per worker and the suite grows by
minutes; this test fails instead."""

from __future__ import annotations

import pytest

GROUP = "suite-grouping-check"
pytestmark = pytest.mark.xdist_group(GROUP)


def test_an_xdist_group_reaches_the_scheduler(request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run by xdist with --dist loadgroup")
    # loadgroup's scheduler reads the group from this suffix of the node id
    assert request.node.nodeid.endswith("@" + GROUP), request.node.nodeid
