"""Hostile input, made by hand, on every route of the OpenAPI document and on ``/ws``.

Oversized bodies (a declared length past the limit, a chunked body that never ends, a 20 MB
JSON body under it), JSON nested ~1,100 (arrays) and ~5,000 (objects) deep, and text at the
edges of Unicode (lone surrogates sent as ``\\ud800`` escapes, NUL, U+2028, RTL marks,
combining marks, non-BMP characters, invalid UTF-8 bytes, percent-encoded garbage) in
bodies, query parameters and path parameters. Every answer must be below 500, every 4xx JSON
with a ``detail`` a person can act on, and the server must still be healthy afterwards.

Routes are read from the server's own ``/openapi.json``, so a new route is covered the day
it is added. Requests are written on raw sockets where an HTTP client would refuse or
repair them (bytes that are not UTF-8 in the request line, a body that lies about its size).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import h11
import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.api.conftest import Api
from tests.stream.factories import POINTS, incident_created

LIMIT = 20 * 1024 * 1024  # BLUELAMP_MAX_BODY_BYTES' default

#: Text at the edges of Unicode. Lone surrogates travel as JSON escapes (json.dumps writes
#: them so) and, in URLs, as the CESU-8 bytes a careless encoder would send.
TEXTS: dict[str, str] = {
    "lone high surrogate": "\ud800",
    "reversed surrogate pair": "\udc00\ud800",
    "NUL": "a\x00b",
    "control characters": "\x01\x1b[31m\x7f",
    "overlong": "x" * 100_000,
    "line separators": "a\u2028b\u2029c",
    "RTL override and mark": "\u202eevil\u202c\u200f",
    "combining marks": "e" + "\u0301" * 500,
    "non-BMP": "\U0001f693\U0001f6a8\U0001d518",
    "BOM and zero width": "\ufeff\u200b",
    "superscript digit": "\u00b2",
    "Arabic-Indic digits": "\u0661\u0662",
    "5,000 digits": "9" * 5_000,
    "far future time": "9999-12-31T23:59:59-01:00",
    "far past time": "0001-01-01T00:00:00+01:00",
    "not a number": "NaN",
    "huge float": "1e309",
}
#: Query or path text sent exactly as written: malformed escapes and raw bytes.
RAW_URL_TEXTS: dict[str, bytes] = {
    "lone percent": b"%",
    "bad escape": b"%zz",
    "escaped invalid UTF-8": b"%ff%fe",
    "escaped overlong slash": b"%c0%af",
    "escaped surrogate": b"%ed%a0%80",
    "escaped NUL": b"%00",
}
#: What is not HTTP at all: the HTTP server itself refuses it with a plain 400 before the
#: application sees a request (so no JSON detail can be asked of it).
NOT_HTTP: dict[str, tuple[bytes, list[tuple[str, str]]]] = {
    "raw invalid UTF-8 in the URL": (b"/api/units/\xff\xfe?bcu=\xc0\xaf", []),
    "a 100 KB URL": (b"/api/units?bcu=" + b"x" * 100_000, []),
    "NUL in a header": (b"/api/me", [("Authorization", "Bearer a\x00b")]),
    "escape codes in a header": (b"/api/me", [("Idempotency-Key", "\x1b[31m\x7f")]),
}
#: In URLs, "overlong" is as long as proxies commonly pass (8 KB), not 100 KB.
URL_OVERLONG = "x" * 8_000
#: Bodies that are not valid UTF-8 or not JSON a parser can take.
RAW_BODIES: dict[str, bytes] = {
    "invalid UTF-8 in a string": b'{"incident_id": "\xff\xfe", "outcome": "\xc0\xaf"}',
    "UTF-16 with BOM": '{"a": 1}'.encode("utf-16"),
    "arrays 1,100 deep": b"[" * 1_100 + b"]" * 1_100,
    "objects 5,000 deep": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    "NaN and Infinity": b'{"outcome": NaN, "incident_id": Infinity}',
    "duplicate keys": b'{"status": "busy", "status": "available"}',
    "trailing garbage": b'{"outcome": "x"} {"outcome": "y"}',
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def params(self, where: str) -> list[str]:
        return [p["name"] for p in self.spec.get("parameters", []) if p["in"] == where]

    @property
    def body_type(self) -> str | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        return next(iter(content), None)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def _operations(api: Api) -> list[Operation]:
    with api.client("chief") as chief:
        document = chief.get("/openapi.json").json()
    return [
        Operation(method.upper(), path, spec)
        for path, methods in document["paths"].items()
        for method, spec in methods.items()
    ]


@pytest.fixture(scope="module")
def operations(api: Api) -> list[Operation]:
    found = _operations(api)
    assert len(found) >= 20, "the OpenAPI document lost its routes"
    return found


def _user(op: Operation) -> str | None:
    """Someone whose role lets the request reach the route's own input handling."""
    if op.path == "/api/events":
        return "feed"
    if op.path in ("/api/token", "/healthz", "/readyz") or op.label == "POST /api/session":
        return None
    if op.label == "DELETE /api/session":
        return "chief2"  # signing out must not end the session the other tests use
    return "chief"


def _path(op: Operation, value: bytes = b"x") -> bytes:
    target = op.path
    for name in op.params("path"):
        target = target.replace(f"{{{name}}}", "\0")
    return target.encode().replace(b"\0", value)


def _quoted(text: str) -> bytes:
    return quote(text.encode("utf-8", "surrogatepass"), safe="").encode()


def _request(
    api: Api,
    method: str,
    target: bytes,
    user: str | None,
    body: bytes = b"",
    content_type: str = "application/json",
    extra: list[tuple[str, str]] | None = None,
    timeout: float = 60,
) -> Answer:
    """One request on a raw socket, the request line and body sent exactly as given. The
    body goes out from a thread while the answer is read: a server may answer (and close)
    before it has taken all of it."""
    headers = {"host": urlsplit(api.url).netloc, "connection": "close"}
    if user is not None:
        headers["authorization"] = f"Bearer {api.token(user)}"
    if body or method in ("POST", "PUT", "PATCH"):
        headers |= {"content-type": content_type, "content-length": str(len(body))}
    headers |= {k.lower(): v for k, v in extra or []}
    head = b"%s %s HTTP/1.1\r\n" % (method.encode(), target)
    head += b"".join(k.encode() + b": " + v.encode("latin-1") + b"\r\n" for k, v in headers.items())
    with _connection(api) as sock:
        sock.settimeout(timeout)
        sock.sendall(head + b"\r\n")
        sender = threading.Thread(target=_send_quietly, args=(sock, body), daemon=True)
        sender.start()
        answer = _read_answer(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sender.join(timeout)
        return answer


def _send_quietly(sock: socket.socket, body: bytes) -> None:
    with contextlib.suppress(OSError):  # the server answered and closed: that is allowed
        sock.sendall(body)


def _connection(api: Api) -> socket.socket:
    parts = urlsplit(api.url)
    return socket.create_connection((parts.hostname, parts.port), timeout=60)


def _read_answer(sock: socket.socket) -> Answer:
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))  # sync state
    status, headers, body = 0, {}, b""
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                data = b""
            conn.receive_data(data)
            continue
        if isinstance(event, h11.Response):
            status = event.status_code
            headers = {k.decode().lower(): v.decode() for k, v in event.headers}
        elif isinstance(event, h11.Data):
            body += bytes(event.data)
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            return Answer(status, headers, body)


def _problem(answer: Answer) -> str | None:
    """Why an answer is not acceptable, or None: below 500, and a 4xx says why in JSON."""
    if answer.status == 0:
        return "no HTTP answer at all"
    if answer.status >= 500:
        return f"{answer.status}: {answer.body[:300]!r}"
    if answer.status < 400:
        return None
    if not answer.headers.get("content-type", "").startswith("application/json"):
        return f"{answer.status} is not JSON: {answer.body[:200]!r}"
    try:
        detail = json.loads(answer.body).get("detail")
    except (ValueError, AttributeError):
        return f"{answer.status} body is not a JSON object: {answer.body[:200]!r}"
    if not isinstance(detail, str) or len(detail.strip()) < 8:
        return f"{answer.status} without a readable detail: {answer.body[:200]!r}"
    return None


def _still_healthy(api: Api) -> None:
    with httpx.Client(base_url=api.url, timeout=30) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text


def _check(found: dict[str, Answer], api: Api) -> None:
    problems = [f"{what}: {p}" for what, a in found.items() if (p := _problem(a))]
    assert not problems, "\n".join(problems[:20])
    _still_healthy(api)


def _template(op: Operation, api: Api) -> dict[str, Any]:
    """A body the route would take, to put one hostile value in at a time."""
    if op.path == "/api/events":
        lat, lon = POINTS["NE"]
        return incident_created(api.fresh("fz"), lat=lat, lon=lon)
    schema = op.spec["requestBody"]["content"][op.body_type]["schema"]
    ref = schema.get("$ref", "")
    with api.client("chief") as chief:
        components = chief.get("/openapi.json").json()["components"]["schemas"]
    properties = components[ref.rsplit("/", 1)[-1]]["properties"] if ref else {}
    return {name: "x" for name in properties}


def _hostile_bodies(op: Operation, api: Api) -> Iterator[tuple[str, bytes]]:
    template = _template(op, api)
    for name, text in TEXTS.items():
        if op.path == "/api/events":  # one field at a time: each reaches different code
            for field in ("id", "source", "time"):
                if field == "time" and name.startswith("far"):
                    continue  # test_fuzz_extremes, on a server of its own: it may be taken
                yield f"{name} in {field}", json.dumps(dict(template, **{field: text})).encode()
            for field in ("incident_id", "category", "summary"):
                data = dict(template["data"], **{field: text})
                event = dict(template, id=api.fresh("fz"), data=data)
                yield f"{name} in data.{field}", json.dumps(event).encode()
        elif op.body_type == "application/x-www-form-urlencoded":
            fields = {k: text.encode("utf-8", "surrogatepass") for k in template}
            yield name, urlencode(fields).encode()
        else:
            yield name, json.dumps(dict.fromkeys(template, text)).encode()


# -- bodies ------------------------------------------------------------------------------------


def _body_operations() -> list[str]:
    return [
        "POST /api/token",
        "POST /api/session",
        "POST /api/units/{unit_id}/assignment",
        "POST /api/units/{unit_id}/redeployment",
        "POST /api/units/{unit_id}/status",
        "POST /api/incidents/{incident_id}/closure",
        "POST /api/incidents/{incident_id}/grade",
        "POST /api/incidents/{incident_id}/arrival",
        "POST /api/incidents/{incident_id}/notes",
        "POST /api/alerts/acknowledgement",
        "POST /api/mutual-aid",
        "POST /api/mutual-aid/{request_id}/decline",
        "POST /api/recommendations/{advice_id}/dismissal",
        "POST /api/whatif",
        "POST /api/events",
    ]


def _op(operations: list[Operation], label: str) -> Operation:
    return next(op for op in operations if op.label == label)


def test_every_route_with_a_body_is_listed_here(operations: list[Operation]) -> None:
    with_body = {op.label for op in operations if op.body_type}
    assert with_body == set(_body_operations())


@pytest.mark.parametrize("label", _body_operations())
def test_unicode_edges_in_bodies(api: Api, operations: list[Operation], label: str) -> None:
    op = _op(operations, label)
    target = _path(op, api.unit("AW").encode())
    found = {
        name: _request(api, op.method, target, _user(op), body, op.body_type or "")
        for name, body in _hostile_bodies(op, api)
    }
    _check(found, api)


@pytest.mark.parametrize("label", _body_operations())
def test_malformed_and_deeply_nested_bodies(
    api: Api, operations: list[Operation], label: str
) -> None:
    op = _op(operations, label)
    target = _path(op, api.unit("AW").encode())
    found = {
        f"{name} as {kind}": _request(api, op.method, target, _user(op), body, kind)
        for name, body in RAW_BODIES.items()
        for kind in ("application/json", op.body_type or "application/json")
    }
    _check(found, api)
    for name in ("arrays 1,100 deep", "objects 5,000 deep"):
        answer = found[f"{name} as application/json"]
        assert 400 <= answer.status < 500, (name, answer)


@pytest.mark.parametrize("label", _body_operations())
def test_a_20_mb_json_body_is_refused_with_a_reason(
    api: Api, operations: list[Operation], label: str
) -> None:
    op = _op(operations, label)
    body = json.dumps({"padding": "x" * 20_000_000}).encode()
    assert len(body) < LIMIT
    answer = _request(api, op.method, _path(op), _user(op), body, "application/json")
    assert 400 <= answer.status < 500, answer
    _check({"20 MB": answer}, api)


def test_a_declared_body_over_the_limit_is_413_before_it_is_read(
    api: Api, operations: list[Operation]
) -> None:
    """The body is announced as 1 GiB and never sent: a server that waited for it (or read
    it) would not answer at all; every route must answer 413 from the header alone."""
    found: dict[str, Answer] = {}
    for op in operations:
        found[op.label] = _request(
            api,
            op.method,
            _path(op),
            _user(op),
            body=b"{" * 1024,
            extra=[("Content-Length", str(1024**3))],
            timeout=15,
        )
    wrong = {label: a.status for label, a in found.items() if a.status != 413}
    assert not wrong, wrong
    _check(found, api)
    assert "MiB" in json.loads(found["POST /api/events"].body)["detail"]


def _send_chunked(sock: socket.socket, head: bytes, total: int, stop: threading.Event) -> None:
    chunk = b"[" + b" " * (256 * 1024 - 1)
    try:
        sock.sendall(head)
        sent = 0
        while sent < total and not stop.is_set():
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
    except OSError:
        pass  # the server stopped reading: that is the point


#: Routes that read their body themselves, through FastAPI, and through Dash (not in the
#: OpenAPI document, but on the same server).
CHUNKED_TARGETS = {
    "POST /api/events": "feed",
    "POST /api/units/x/status": "chief",
    "POST /_dash-update-component": "chief",
}


@pytest.mark.parametrize("label", list(CHUNKED_TARGETS))
def test_a_chunked_body_is_cut_off_at_the_limit(api: Api, label: str) -> None:
    """No Content-Length: the server counts as the body streams in and answers 413 once it
    passes the limit, while the client still has 10 times as much to send."""
    head = (
        f"{label} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        f"Authorization: Bearer {api.token(CHUNKED_TARGETS[label])}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    stop = threading.Event()
    with _connection(api) as sock:
        sender = threading.Thread(target=_send_chunked, args=(sock, head, 10 * LIMIT, stop))
        sender.start()
        try:
            answer = _read_answer(sock)
        finally:
            stop.set()
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sender.join(30)
    assert answer.status == 413, answer
    _check({"chunked": answer}, api)


# -- query and path parameters -----------------------------------------------------------------


def _url_values() -> dict[str, bytes]:
    texts = TEXTS | {"overlong": URL_OVERLONG}
    return {name: _quoted(text) for name, text in texts.items()} | RAW_URL_TEXTS


def test_unicode_edges_in_query_parameters(api: Api, operations: list[Operation]) -> None:
    """Every query parameter of every operation, one hostile value at a time."""
    found: dict[str, Answer] = {}
    for op in operations:
        for param in op.params("query"):
            for name, value in _url_values().items():
                target = _path(op) + b"?" + param.encode() + b"=" + value
                found[f"{op.label} {param}={name}"] = _request(api, op.method, target, _user(op))
    assert len(found) > 300
    _check(found, api)


def test_unicode_edges_in_path_parameters(api: Api, operations: list[Operation]) -> None:
    found: dict[str, Answer] = {}
    for op in operations:
        if not op.params("path"):
            continue
        for name, value in _url_values().items():
            found[f"{op.label} {name}"] = _request(api, op.method, _path(op, value), _user(op))
    assert len(found) > 80
    _check(found, api)


def test_unicode_edges_in_headers_that_routes_read(api: Api, operations: list[Operation]) -> None:
    """Idempotency-Key (commands) and the bearer token itself."""
    found: dict[str, Answer] = {}
    values = {
        n: t.encode("utf-8", "surrogatepass")
        for n, t in TEXTS.items()
        if len(t) < 5000 and not any(ord(c) < 32 or ord(c) == 127 for c in t)
    }
    for name, value in values.items():
        header = value.decode("latin-1")
        for op in operations:
            if "Idempotency-Key" in op.params("header"):
                body = json.dumps({"status": "busy"}).encode()
                found[f"{op.label} key={name}"] = _request(
                    api, op.method, _path(op), "chief", body, extra=[("Idempotency-Key", header)]
                )
        found[f"token={name}"] = _request(
            api, "GET", b"/api/me", None, extra=[("Authorization", f"Bearer {header}")]
        )
    _check(found, api)


@pytest.mark.parametrize("name", sorted(NOT_HTTP))
def test_what_is_not_http_is_refused_by_the_http_server(api: Api, name: str) -> None:
    target, headers = NOT_HTTP[name]
    answer = _request(api, "GET", target, "chief", extra=headers, timeout=15)
    assert answer.status == 400, answer
    _still_healthy(api)


# -- the live feed -----------------------------------------------------------------------------


def _ws_close(api: Api, query: bytes, token: str | None) -> int | None:
    """The close code the server sends for ``/ws?<query>`` (None: it served the feed)."""
    url = f"{api.server.ws_url}?{query.decode('latin-1')}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with connect(url, additional_headers=headers, open_timeout=15, max_size=None) as ws:
        try:
            while True:
                frame = json.loads(ws.recv(timeout=15))
                if frame.get("type") != "error":
                    return None
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006


WS_SINCE: dict[str, bytes] = (
    {
        name: _quoted(text)
        for name, text in TEXTS.items()
        if not text.isascii() or not text.isdigit()
    }
    | {
        "negative": b"-1",
        "plus sign": b"%2B1",
        "space": b"%201",
        "fraction": b"1.5",
        "empty": b"",
    }
    | RAW_URL_TEXTS
    | {"overlong": _quoted(URL_OVERLONG)}
)


@pytest.mark.parametrize("name", sorted(WS_SINCE))
def test_a_bad_since_on_the_live_feed_closes_4400(api: Api, name: str) -> None:
    """``/ws?since=`` that is not a whole number in ASCII digits closes with 4400 and a
    reason (never 1006 or 1011). ``since=²`` is on the auth track's list (issue 12 #8; it
    closed 1006, and Arabic-Indic digits were taken as a seq): this asserts the fixed
    behaviour, and passes once that fix is merged."""
    code = _ws_close(api, b"since=" + WS_SINCE[name], api.token("chief"))
    assert code == 4400, code
    _still_healthy(api)


def test_a_since_too_long_for_an_int_is_not_a_server_error(api: Api) -> None:
    """5,000 digits are a whole number past any seq (a snapshot), or refused with 4400;
    Python's int() refuses more than 4,300 digits, which must not close the socket 1006."""
    code = _ws_close(api, b"since=" + b"9" * 5_000, api.token("chief"))
    assert code in (None, 4400), code
    _still_healthy(api)


WS_TOKENS: dict[str, bytes] = (
    {n: _quoted(t) for n, t in TEXTS.items()} | RAW_URL_TEXTS | {"overlong": _quoted(URL_OVERLONG)}
)


@pytest.mark.parametrize("name", sorted(WS_TOKENS))
def test_a_bad_token_on_the_live_feed_closes_4401(api: Api, name: str) -> None:
    code = _ws_close(api, b"token=" + WS_TOKENS[name], None)
    assert code == 4401, code
    _still_healthy(api)


def test_a_websocket_handshake_with_a_100_kb_url_does_not_hold_the_server_up(api: Api) -> None:
    """The HTTP server refuses a handshake line that long (uvicorn answers 414 or leaves the
    client waiting until it gives up); meanwhile every other client is served."""
    parts = urlsplit(api.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(
            f"GET /ws?token={'x' * 100_000} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
        )
        _still_healthy(api)
        with contextlib.suppress(OSError):
            assert not sock.recv(64).startswith(b"HTTP/1.1 101"), "a 100 KB handshake was taken"
