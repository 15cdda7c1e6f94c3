"""Recorded HTTP: vcrpy cassettes (gzip-compressed JSON) that replay every request of a crawl offline."""

from __future__ import annotations

import gzip
from pathlib import Path

import vcr
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.serialize import deserialize, serialize

CASSETTES = Path(__file__).resolve().parents[2] / "fixtures" / "cassettes"
SECRET_HEADERS = ["authorization", "cookie", "set-cookie", "x-github-token"]


class GzipJsonPersister:
    """Cassettes as `<name>.json.gz`: the same vcrpy format, a tenth of the size in git."""

    @staticmethod
    def load_cassette(cassette_path, serializer):
        path = Path(cassette_path)
        if not path.exists():
            raise CassetteNotFoundError()
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return deserialize(fh.read(), serializer)

    @staticmethod
    def save_cassette(cassette_path, cassette_dict, serializer):
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = serialize(cassette_dict, serializer)
        # mtime=0 keeps the bytes identical when nothing changed, so git sees no diff
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
            fh.write(data.encode("utf-8"))


def conditional(r1, r2) -> None:
    """A refresh (If-None-Match sent) replays the recorded 304, a first crawl the recorded 200."""
    assert ("If-None-Match" in r1.headers) == ("If-None-Match" in r2.headers)


def recorder() -> vcr.VCR:
    v = vcr.VCR(
        serializer="json",
        match_on=["method", "scheme", "host", "port", "path", "query", "body", "conditional"],
        filter_headers=SECRET_HEADERS,
        decode_compressed_response=True,
    )
    v.register_persister(GzipJsonPersister)
    v.register_matcher("conditional", conditional)
    return v


def cassette_path(name: str) -> Path:
    return CASSETTES / f"{name}.json.gz"
