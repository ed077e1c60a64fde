"""The report cache: one thread builds a report while the others wait for it."""

from __future__ import annotations

import threading

from reoffkit.web.tracker import queries


def test_a_build_that_reads_another_cached_value_under_the_same_lock_does_not_wait_for_itself():
    # The locks are shared by keys (32 of them); two keys on one lock, nested, once deadlocked the
    # compare page (its report read the area figures through the cache while building).
    first = "report:a"
    second = next(f"data:{n}" for n in range(10_000) if hash(f"data:{n}") % len(queries._LOCKS) == hash(first) % len(queries._LOCKS))
    result = []
    worker = threading.Thread(target=lambda: result.append(queries.cached(first, lambda: queries.cached(second, lambda: 42) + 1)), daemon=True)
    worker.start()
    worker.join(60)  # not a speed check: a deadlocked thread never finishes
    assert result == [43]
