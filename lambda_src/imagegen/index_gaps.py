"""What the index of images (storage.INDEX) lacks, kept where GET /images finds it cheaply:

    images/.unindexed/<T>-<id>   an empty object per image the index lacks, named as its index
                                 entry is (storage.index_key), so these list newest first too:
                                 written when the entry could not be written, and by GET /images
                                 for an image stored before the index existed
    images/.unindexed/!walked    written once GET /images has gone through every image prefix of
                                 the bucket and marked each image the index lacks ('!' sorts
                                 before the digits: the first name of the listing)

So a listing reads the index, then these markers (one listing when there are none), and goes
through the image prefixes only until that walk has once reached the end."""

from __future__ import annotations

from datetime import datetime

from .storage import _INDEX_NAME, INDEX, PREFIX, ImageStore, IndexPage, _Missing, index_key, s3_errors

GAPS = f"{PREFIX}/.unindexed/"
WALKED = "!walked"


def gap_name(image_id: str, created: datetime) -> str:
    """The marker's name under GAPS, which is the index entry's under INDEX."""
    return index_key(image_id, created)[len(INDEX) :]


def mark(store: ImageStore, image_id: str, created: datetime) -> None:
    """Mark an image the index lacks (the same key whenever it is retried)."""
    with s3_errors("mark the image the index lacks"):
        store.s3.put_object(Bucket=store.bucket, Key=GAPS + gap_name(image_id, created), Body=b"")


def mark_walked(store: ImageStore) -> None:
    with s3_errors("record that every image is indexed or marked"):
        store.s3.put_object(Bucket=store.bucket, Key=GAPS + WALKED, Body=b"")


def gaps(store: ImageStore, limit: int, after: str = "") -> tuple[IndexPage, bool | None]:
    """A page of the markers, newest first, and whether the walk is done (None: not known, a page
    after the first; the first name of the listing says it)."""
    start = {"StartAfter": GAPS + after} if after else {}
    with s3_errors("list the images the index lacks"):
        listed = store.s3.list_objects_v2(Bucket=store.bucket, Prefix=GAPS, MaxKeys=limit, **start)
    names = [str(item["Key"])[len(GAPS) :] for item in listed.get("Contents", [])]
    entries = [(name, found.group("id")) for name in names if (found := _INDEX_NAME.fullmatch(name))]
    page = IndexPage(entries, names[-1] if names else after, bool(listed.get("IsTruncated")))
    return page, (WALKED in names) if not after else None


def walked(store: ImageStore) -> bool:
    return _exists(store, GAPS + WALKED, "look for the record of the walk")


def has_entry(store: ImageStore, name: str) -> bool:
    """Whether the index holds the entry a marker is named for (a later write made it)."""
    return _exists(store, INDEX + name, "look for the image's index entry")


def known_ids(store: ImageStore) -> set[str]:
    """Every id the index or a marker names: the whole index, a thousand names a listing."""
    ids: set[str] = set()
    for prefix in (INDEX, GAPS):
        token: dict[str, str] = {}
        while True:
            with s3_errors("list the index of images"):
                listed = store.s3.list_objects_v2(Bucket=store.bucket, Prefix=prefix, **token)
            for item in listed.get("Contents", []):
                if found := _INDEX_NAME.fullmatch(str(item["Key"])[len(prefix) :]):
                    ids.add(found.group("id"))
            if not listed.get("IsTruncated"):
                break
            token = {"ContinuationToken": str(listed["NextContinuationToken"])}
    return ids


def _exists(store: ImageStore, key: str, what: str) -> bool:
    try:
        with s3_errors(what):
            store.s3.head_object(Bucket=store.bucket, Key=key)
    except _Missing:
        return False
    return True
