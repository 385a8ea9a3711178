"""moto's S3, made to keep two promises of S3's under concurrent requests.

moto (5.2.5) honours PutObject's If-Match and If-None-Match, but checks the condition and
stores the object in two steps with no lock between them: two conditional writes of one key at
once can both pass the check, and the second then overwrites the first. S3 decides each
conditional write atomically (one wins, the other is answered 412 PreconditionFailed or 409
ConditionalRequestConflict); the verdict's compare-and-set relies on that. And an overwrite
closes the storage of the object it replaces, so a GetObject of that object under way at the
same moment fails (a ValueError from a closed file, answered 500); S3 answers such a read with
the object as it was or as it is.

Here moto serves PutObject and GetObject under one lock, for the local S3 and for the tests'
in-process moto.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.s3.responses import S3Response

_LOCK = threading.Lock()


def atomic_conditional_writes() -> None:
    """Serve moto's PutObject and GetObject under one lock (once per process; calling again
    changes nothing)."""
    for name in ("put_object", "get_object"):
        served = getattr(S3Response, name)
        if not getattr(served, "serialized", False):
            setattr(S3Response, name, _serialized(served))


def _serialized(served: Callable[[Any], Any]) -> Callable[[Any], Any]:
    @functools.wraps(served)
    def locked(self: Any) -> Any:
        with _LOCK:
            return served(self)

    locked.serialized = True  # type: ignore[attr-defined]
    return locked
