"""`imagegen compare`'s pool starts every worker before the first cell is submitted, so that a
Ctrl-C in a submit can never leave a queued cell without a thread to run it."""

from __future__ import annotations

import threading

from imagegen_local.cli.compare import POOL_THREADS, started_pool


def running_workers() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name.startswith(POOL_THREADS))


def test_every_worker_runs_before_any_cell_is_submitted():
    before = running_workers()
    pool = started_pool(3)
    try:
        assert running_workers() - before == 3
        assert pool.submit(lambda: 7).result() == 7
        assert running_workers() - before == 3  # a submit starts no further thread
    finally:
        pool.shutdown(wait=True)
    assert running_workers() == before


def test_no_cell_to_run_starts_no_worker():
    before = running_workers()
    pool = started_pool(0)
    assert running_workers() == before
    pool.shutdown(wait=True)
