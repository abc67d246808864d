"""The live picture's JSON made once per seq (api.picturecache): over HTTP on a real server
(ETag, 304, gzip) and, for the pure parts, in memory."""

from __future__ import annotations

import gzip
import time
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest

from api.picturecache import PictureDocuments, Variant, _accepts_gzip, _tags
from api.views import picture_view
from stream.picture import Picture
from tests.api.conftest import Api
from tests.stream import factories as f
from tests.stream.factories import incident_created, recorded, unit_on_duty
from tests.stream.test_advice_rules import _decided, _offered, _units
from tests.stream.test_mutual_aid_rules import accept, run


def test_one_document_per_seq_and_variant_equal_to_the_view() -> None:
    picture = Picture()
    picture.apply(recorded(1, unit_on_duty("U1")))
    documents = PictureDocuments(hex_of=lambda lat, lon: f"{lat:.2f},{lon:.2f}")
    first = documents.of(picture, Variant())
    assert documents.of(picture, Variant()) is first
    assert orjson.loads(first.body) == orjson.loads(orjson.dumps(picture_view(picture)))
    hexed = documents.of(picture, Variant(hexes=True))
    assert hexed.etag != first.etag and documents.of(picture, Variant(hexes=True)) is hexed
    assert documents.of(picture, Variant()) is first  # each variant keeps its own
    picture.apply(recorded(2, incident_created("I1")))
    moved = documents.of(picture, Variant(hexes=True))
    assert moved.seq == 2 and moved.etag != hexed.etag
    assert moved.etag.startswith('W/"') and moved.etag.endswith('-oh"')
    assert [i["hex"] for i in orjson.loads(moved.body)["incidents"]] == [
        documents.hex_of(i.lat, i.lon) for i in picture.incidents.values()
    ]


@pytest.mark.parametrize(
    ("header", "gzip_ok"),
    [
        ("gzip, deflate", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("*", True),
        ("identity", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header: str, gzip_ok: bool) -> None:
    assert _accepts_gzip(header) is gzip_ok


def test_the_tag_names_what_is_shown_not_the_seq() -> None:
    """An event that changes nothing shown (the recommender's ledger: advice.*) moves the
    seq: the document is made again, with its new seq, under the same tag."""
    picture = Picture()
    picture.apply(recorded(1, unit_on_duty("U1")))
    documents = PictureDocuments(hex_of=lambda lat, lon: "h")
    before = documents.of(picture, Variant())
    picture.seq += 1  # as a ledger entry would: nothing else changes
    after = documents.of(picture, Variant())
    assert after is not before and orjson.loads(after.body)["seq"] == 2
    assert after.etag == before.etag
    picture.apply(recorded(3, incident_created("I1")))
    assert documents.of(picture, Variant()).etag != before.etag


def test_the_ledger_moves_the_seq_and_the_same_document_is_served_with_it() -> None:
    """advice.* events (the recommender's ledger) leave ``shown_seq`` where it was and the
    document is the last one with its seqs replaced, byte for byte what building it anew
    gives; any other event, or a ledger entry that moves the clock, is shown."""
    picture = accept([*_units(), f.incident_created("I1")])
    documents = PictureDocuments(hex_of=lambda lat, lon: "h")
    before = documents.of(picture, Variant())
    assert picture.now is not None
    now = picture.now.isoformat()
    ledger = [_offered("M1", time=now), _decided("accepted", "M1", by="insp")]
    ledger[1]["time"] = now
    picture, _, reasons = run(ledger, picture)
    assert reasons == [] and picture.seq == before.seq + 2
    assert picture.shown_seq == before.seq  # nothing shown changed
    after = documents.of(picture, Variant())
    assert after.body == orjson.dumps(picture_view(picture))
    assert after.etag == before.etag and after.seq == picture.seq
    later = (picture.now + timedelta(minutes=1)).isoformat()
    picture, _, reasons = run([_offered("M2", unit_id="U2", time=later)], picture)
    assert reasons == [] and picture.shown_seq == picture.seq  # "as of" moved on
    assert documents.of(picture, Variant()).body == orjson.dumps(picture_view(picture))
    picture.apply(recorded(picture.seq + 1, f.unit_status("U1", "refreshment")))
    assert picture.shown_seq == picture.seq


def test_if_none_match_names_weak_and_strong_tags() -> None:
    assert _tags('W/"5-o", "6-c"') == {'"5-o"', '"6-c"'}
    assert _tags("") == set()


def _get(api: Api, **headers: str) -> httpx.Response:
    with api.client("wall") as wall:
        return wall.get("/api/picture", headers=headers)


def test_the_picture_carries_a_weak_etag_and_is_gzipped(api: Api) -> None:
    api.incident("AW")
    answer = _get(api)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["cache-control"] == "no-store"  # api.headers: nothing kept
    assert answer.headers["etag"].startswith('W/"')
    plain = _get(api, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert len(plain.content) > 3 * int(plain.headers["content-length"]) // 4
    if plain.headers["etag"] == answer.headers["etag"]:
        assert plain.json() == answer.json()


def test_a_client_holding_the_current_picture_gets_a_304_until_it_moves(api: Api) -> None:
    seen: list[int] = []
    for _ in range(20):  # a unit's move elsewhere may change the picture meanwhile
        answer = _get(api)
        again = _get(api, **{"If-None-Match": answer.headers["etag"]})
        if again.status_code == 304:
            assert again.content == b"" and again.headers["etag"] == answer.headers["etag"]
            break
        assert again.status_code == 200 and again.headers["etag"] != answer.headers["etag"]
        seen.append(again.json()["seq"])
        time.sleep(0.2)
    else:
        pytest.fail(f"no 304 in 20 tries; the picture moved to {seen}")
    incident = api.incident("NE")
    strong = answer.headers["etag"].removeprefix("W/")  # compared weakly, either way
    moved = _get(api, **{"If-None-Match": strong})
    assert moved.status_code == 200
    assert moved.json()["seq"] > answer.json()["seq"]
    assert incident in {i["incident_id"] for i in moved.json()["incidents"]}


def test_closed_calls_are_a_document_of_their_own(api: Api) -> None:
    with api.client("chief") as chief:
        open_only = chief.get("/api/picture")
        every: Any = chief.get("/api/picture", params={"include_closed": "true"})
    assert open_only.headers["etag"].endswith('-o"')
    assert every.headers["etag"].endswith('-c"')
    assert gzip.decompress(gzip.compress(every.content)) == every.content
