"""One Bluelamp under drill: a ``bluelamp serve``, its private Redis, the feed writing to it, a
wall screen in Chromium, and the checks every drill ends with.

After a fault, :meth:`City.settle` stops the feed and waits until everything written has been
decided and shown; :meth:`City.verify` then checks, independently of the server's own code
path: every event the feed wrote is in the log exactly once (or on the rejected stream with a
reason) and seq runs 1..N without a gap; ``/api/picture`` equals a fold of the log; the
browser's store equals ``/api/picture``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import redis
from playwright.sync_api import Page

from api.views import picture_view
from stream.events import Recorded
from stream.keys import Keys
from stream.log import EventLog
from stream.picture import fold
from tests.api.conftest import PASSWORD
from tests.live import LiveServer
from tests.resilience.faults import RedisServer, wait_until
from tests.resilience.feed import Key, Producer

SETTLE_S = 120.0  # generous: a busy 2-core machine, and a backlog to work off

# Records, in the page itself, when the outage banner shows and hides (epoch ms), so a drill
# can tell afterwards that it showed while the fault lasted.
BANNER_WATCH = """
window.__banner = [];
new MutationObserver(() => {
  const b = document.getElementById('feed-banner');
  const shown = !!b && !b.hidden;
  const last = window.__banner[window.__banner.length - 1];
  if ((last ? last.shown : false) !== shown) {
    window.__banner.push({shown: shown, at: Date.now(), text: b ? b.textContent : ''});
  }
}).observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ['hidden']});
"""
STORE = """() => ({
  seq: window.probe.live.seq,
  connected: window.probe.live.connected,
  incidents: Object.fromEntries(window.probe.live.incidents),
  units: Object.fromEntries(window.probe.live.units),
})"""


@dataclass
class Accounting:
    """What became of the events the feed wrote, read from the log and the rejected stream."""

    records: list[Recorded]
    rejected: dict[Key, str]  # (source, id) -> reason
    missing: set[Key] = field(default_factory=set)


@dataclass
class City:
    server: LiveServer
    redis_server: RedisServer
    producer: Producer
    log: EventLog  # the same database, opened directly (not through any drill proxy)
    keys: Keys
    page: Page
    _token: str | None = None

    # -- reading --------------------------------------------------------------------------

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_server.url, socket_timeout=5)

    def sign_in(self) -> str:
        """A fresh sign-in as the commander: the token."""
        answer = httpx.post(
            f"{self.server.url}/api/token",
            data={"username": "commander", "password": PASSWORD},
            timeout=30,
        )
        assert answer.status_code == 200, f"sign-in: {answer.status_code} {answer.text}"
        return str(answer.json()["access_token"])

    def api(self, path: str) -> dict[str, Any]:
        for _ in range(2):
            self._token = self._token or self.sign_in()
            headers = {"Authorization": f"Bearer {self._token}"}
            got = httpx.get(f"{self.server.url}{path}", headers=headers, timeout=30)
            if got.status_code != 401:
                assert got.status_code == 200, f"{path}: {got.status_code} {got.text}"
                return dict(got.json())
            self._token = None
        raise AssertionError(f"{path}: refused a fresh token")

    def waiting(self) -> int:
        """Ingest entries not yet decided (decided ones are removed from the stream)."""
        client = self.redis()
        try:
            return int(client.xlen(self.keys.ingest))
        finally:
            client.close()

    def picture(self) -> dict[str, Any]:
        return self.api("/api/picture?include_closed=true")

    def browser(self) -> dict[str, Any]:
        return dict(self.page.evaluate(STORE))

    def rejected(self) -> dict[Key, str]:
        client = self.redis()
        try:
            rows: Any = client.xrange(self.keys.rejected)
        finally:
            client.close()
        found: dict[Key, str] = {}
        for _id, fields in rows:
            text = {k.decode(): v.decode("utf-8", "replace") for k, v in fields.items()}
            if "source" in text and "id" in text:
                found[(text["source"], text["id"])] = text.get("reason", "")
        return found

    def account(self) -> Accounting:
        records = list(self.log.iter())
        logged = {(r.event.source, r.event.id) for r in records}
        rejected = self.rejected()
        missing = set(self.producer.written) - logged - set(rejected)
        return Accounting(records, rejected, missing)

    # -- the end of every drill -------------------------------------------------------------

    def settle(self, timeout: float = SETTLE_S) -> Accounting:
        """Stop the feed, then wait until every event it wrote is logged or rejected, the
        server's picture has the log's last seq, and so has the browser."""
        self.producer.pause()
        wait_until(lambda: not self.account().missing, timeout, "every written event decided")
        last = self.log.last_seq()
        wait_until(lambda: self.picture()["seq"] == last, timeout, f"/api/picture at seq {last}")
        wait_until(lambda: self.browser()["seq"] == last, timeout, f"the browser at seq {last}")
        return self.account()

    def verify(self) -> Accounting:
        """Settle, then check the log, the server's picture and the browser's (see above)."""
        accounting = self.settle()
        check_exactly_once(accounting, self.producer)
        picture = self.picture()
        check_picture_is_replay(picture, accounting.records)
        check_browser_shows(picture, self.browser())
        self.producer.resume()
        return accounting

    # -- the outage banner -----------------------------------------------------------------

    def banner_log(self) -> list[dict[str, Any]]:
        return list(self.page.evaluate("() => window.__banner || []"))

    def banner_shown_between(self, since_ms: float, until_ms: float) -> list[dict[str, Any]]:
        """The banner's showings that overlapped [since, until] (epoch ms)."""
        log = self.banner_log()
        shown = []
        for i, change in enumerate(log):
            if not change["shown"]:
                continue
            hidden_at = next((c["at"] for c in log[i + 1 :] if not c["shown"]), None)
            if change["at"] <= until_ms and (hidden_at is None or hidden_at >= since_ms):
                shown.append(change)
        return shown

    def banner_hidden(self) -> bool:
        return bool(self.page.evaluate("() => document.getElementById('feed-banner').hidden"))


def now_ms() -> float:
    return time.time() * 1000


def check_exactly_once(accounting: Accounting, producer: Producer) -> None:
    seqs = [r.seq for r in accounting.records]
    assert seqs == list(range(1, len(seqs) + 1)), "seq has a gap or a repeat"
    keys = [(r.event.source, r.event.id) for r in accounting.records]
    assert len(keys) == len(set(keys)), "an event is in the log twice"
    assert not accounting.missing, f"{len(accounting.missing)} written events lost"
    unexplained = {k for k, reason in accounting.rejected.items() if not reason.strip()}
    assert not unexplained, f"rejected without a reason: {sorted(unexplained)[:5]}"
    ours = set(producer.written)
    assert ours <= set(keys) | set(accounting.rejected)


def check_picture_is_replay(picture: dict[str, Any], records: list[Recorded]) -> None:
    replayed = orjson.loads(orjson.dumps(picture_view(fold(records), include_closed=True)))
    assert picture["seq"] == replayed["seq"]
    for part in ("kpis", "bcus", "as_of"):
        assert picture[part] == replayed[part], part
    assert _by_id(picture["incidents"], "incident_id") == _by_id(
        replayed["incidents"], "incident_id"
    )
    assert _by_id(picture["units"], "unit_id") == _by_id(replayed["units"], "unit_id")


def check_browser_shows(picture: dict[str, Any], seen: dict[str, Any]) -> None:
    """The browser keeps open incidents and on-duty units, as the server's views make them
    (its snapshot adds each incident's H3 cell, which /api/picture leaves out)."""
    assert seen["seq"] == picture["seq"]
    incidents = {i["incident_id"]: i for i in picture["incidents"] if i["status"] != "closed"}
    units = {u["unit_id"]: u for u in picture["units"] if u["status"] != "off_duty"}
    shown = {k: {f: v for f, v in i.items() if f != "hex"} for k, i in seen["incidents"].items()}
    assert sorted(shown) == sorted(incidents), "the browser's incidents are not the server's"
    assert shown == json.loads(json.dumps(incidents))
    assert seen["units"] == units


def _by_id(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return {row[key]: row for row in rows}
