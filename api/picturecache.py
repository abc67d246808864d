"""The whole picture as JSON, made once per seq and shared by every reader.

A busy London's picture is 1.5 MB of JSON, built and encoded on the event loop for every
``GET /api/picture`` and every ``/ws`` snapshot: 58 requests/s at most (docs/performance.md).
The picture is a pure fold of the log, so everything in that document is fixed by its seq:
it is made once per seq and variant, compressed once (off the event loop) for clients that
accept gzip, and named by a weak ETag of what it shows (its seq aside), so a client that has
it gets a 304 without the body until something it shows changes. While only the
recommender's ledger moves the seq (``Picture.shown_seq`` stays), the last document is
served again with its seqs replaced instead of being built anew.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from dataclasses import dataclass, field

import orjson
from starlette.requests import Request
from starlette.responses import Response

from api.views import HexOf, picture_view
from stream.picture import Picture

#: Fast, and still ~10.8x smaller for this JSON (1.5 MB to ~140 kB, measured in
#: bench_api); made once per seq, but under load that is every few milliseconds.
GZIP_LEVEL = 1


@dataclass(frozen=True, slots=True)
class Variant:
    include_closed: bool = False
    hexes: bool = False  # each incident's H3 cell, as the live feed's snapshot carries them

    @property
    def tag(self) -> str:
        return ("c" if self.include_closed else "o") + ("h" if self.hexes else "")


@dataclass(slots=True)
class Document:
    """One variant of the picture at ``seq``: its JSON, and its gzip once asked for."""

    seq: int
    body: bytes
    etag: str
    shown_seq: int = 0  # the picture's shown_seq when it was made
    _gzipped: asyncio.Task[bytes] | None = None

    async def gzipped(self) -> bytes:
        if self._gzipped is None:  # one compression however many requests ask at once
            self._gzipped = asyncio.ensure_future(
                asyncio.to_thread(gzip.compress, self.body, GZIP_LEVEL, mtime=0)
            )
        return await asyncio.shield(self._gzipped)


@dataclass
class PictureDocuments:
    """The newest document of each variant; older seqs are dropped as the picture moves."""

    hex_of: HexOf
    _latest: dict[Variant, Document] = field(default_factory=dict)

    def of(self, picture: Picture, variant: Variant) -> Document:
        """The document of ``picture`` as it is now, built if its seq has none yet."""
        document = self._latest.get(variant)
        if document is not None and document.seq == picture.seq:
            return document
        if document is not None and document.shown_seq == picture.shown_seq:
            # Only the recommender's ledger moved the seq: the same document, its seqs new
            # (a copy of bytes, against ~17 ms to build a busy London's on the event loop).
            body = _with_seq(document.body, picture.seq)
        else:
            view = picture_view(
                picture, variant.include_closed, self.hex_of if variant.hexes else None
            )
            body = orjson.dumps(view)
        document = Document(picture.seq, body, content_tag(body, variant), picture.shown_seq)
        self._latest[variant] = document
        return document


#: Where picture_view's seqs are: the document's own, first, and the KPIs' own, first in
#: them; the number after each marker ends at a comma (an int holds none).
_SEQ_MARKERS = (b'{"seq":', b'"kpis":{"seq":')


def _with_seq(body: bytes, seq: int) -> bytes:
    """``body`` with both of its seqs replaced by ``seq``."""
    parts, start = [], 0
    for marker in _SEQ_MARKERS:
        at = body.index(marker, start) + len(marker)
        parts += [body[start:at], str(seq).encode()]
        start = body.index(b",", at)
    parts.append(body[start:])
    return b"".join(parts)


def content_tag(body: bytes, variant: Variant) -> str:
    """A weak ETag for what ``body`` shows, its seq aside: the recommender's ledger entries
    (``advice.*``) move the seq several times a second and change nothing the document shows,
    and a client holding it is told 304 through them. Weak (RFC 9110): the body it names
    differs in its ``seq``. BLAKE2b, 128 bits: no two pictures share a tag in practice."""
    digest, view, start = hashlib.blake2b(digest_size=16), memoryview(body), 0
    for marker in _SEQ_MARKERS:
        at = body.index(marker, start) + len(marker)
        digest.update(view[start:at])
        start = body.index(b",", at)
    digest.update(view[start:])
    return f'W/"{digest.hexdigest()}-{variant.tag}"'


async def respond(document: Document, request: Request) -> Response:
    """200 with the document (gzip when the client accepts it), or 304 when the client's
    If-None-Match names it already."""
    # Cache-Control stays the API's no-store (api.headers): no browser keeps the picture on
    # a shared control-room machine; a client that remembers the ETag itself may still ask.
    headers = {"ETag": document.etag, "Vary": "Accept-Encoding"}
    named = _tags(request.headers.get("if-none-match", ""))
    if document.etag.removeprefix("W/") in named or "*" in named:
        return Response(status_code=304, headers=headers)
    if _accepts_gzip(request.headers.get("accept-encoding", "")):
        headers["Content-Encoding"] = "gzip"
        body = await document.gzipped()
    else:
        body = document.body
    return Response(body, media_type="application/json", headers=headers)


def _tags(header: str) -> set[str]:
    """The entity tags an If-None-Match names (a weak one compares as its strong twin: the
    weak comparison RFC 9110 has If-None-Match use)."""
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


def _accepts_gzip(header: str) -> bool:
    """Whether Accept-Encoding allows gzip (named, or ``*``, without ``q=0``)."""
    for coding in header.split(","):
        name, *params = (part.strip() for part in coding.split(";"))
        if name.lower() in ("gzip", "*"):
            weights = [p.removeprefix("q=") for p in params if p.startswith("q=")]
            try:
                return not weights or float(weights[0]) > 0
            except ValueError:
                return False
    return False
