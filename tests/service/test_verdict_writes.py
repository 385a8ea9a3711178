"""A verdict's compare-and-set against the local S3: a write over a version another write
replaced is refused, and of writes racing for one key exactly one wins, as in S3."""

import threading

from imagegen import documents
from imagegen.storage import ImageStore

from tests.service.conftest import BUCKET, EPOCH

IMAGE_ID = "A" * 22


def _failure(n: int) -> documents.FailedVerdict:
    return documents.failed("amazon.nova-lite-v1:0", "throttled", f"attempt {n}", EPOCH)


def test_a_verdict_is_written_only_over_the_version_read(s3):
    store = ImageStore(s3, BUCKET)
    assert store.load_evaluation_version(IMAGE_ID) == (None, None)
    first = store.save_evaluation_if(IMAGE_ID, _failure(1), None)
    assert first is not None
    assert store.save_evaluation_if(IMAGE_ID, _failure(2), None) is None  # one exists now
    assert store.load_evaluation_version(IMAGE_ID) == (_failure(1), first)
    second = store.save_evaluation_if(IMAGE_ID, _failure(3), first)
    assert second not in (None, first)
    assert store.save_evaluation_if(IMAGE_ID, _failure(4), first) is None  # replaced since
    assert store.load_evaluation_version(IMAGE_ID) == (_failure(3), second)


def test_a_verdict_deleted_since_it_was_read_is_a_conflict(s3):
    store = ImageStore(s3, BUCKET)
    etag = store.save_evaluation_if(IMAGE_ID, _failure(1), None)
    s3.delete_object(Bucket=BUCKET, Key=f"images/{IMAGE_ID}/evaluation.json")
    assert store.save_evaluation_if(IMAGE_ID, _failure(2), etag) is None


def test_of_writes_racing_over_one_version_exactly_one_wins(s3):
    store = ImageStore(s3, BUCKET)
    for round_ in range(30):
        image_id = f"{round_:022d}"
        base = store.save_evaluation_if(image_id, _failure(0), None)
        start = threading.Barrier(6)
        won: list[int] = []

        def write(n: int, image_id: str = image_id, base: str | None = base, start=start, won=won) -> None:
            start.wait()
            if store.save_evaluation_if(image_id, _failure(n), base) is not None:
                won.append(n)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(1, 7)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1, f"round {round_}: writes {won} all passed the same If-Match"
        assert store.load_evaluation(image_id) == _failure(won[0])
