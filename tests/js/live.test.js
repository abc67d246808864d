// bluelamp.live (dashboard/assets/live.js): how the store applies the feed's frames.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { page } = require("./browser.js");

function store() {
  const p = page();
  const B = p.load("bluelamp.js", "live.js");
  const changes = [];
  // Spread into this realm's arrays: the Sets were made in the page's.
  B.live.onChange((c) => changes.push({
    reset: c.reset, advice: c.advice, incidents: [...c.incidents].sort(), units: [...c.units].sort(),
  }));
  return { p, B, live: B.live, changes };
}

const incident = (id, extra) => ({ incident_id: id, status: "open", grade: "I", bcu: "AW", ...extra });
const unit = (id, extra) => ({ unit_id: id, status: "available", bcu: "AW", ...extra });

function snapshot(seq, incidents, units, extra) {
  return {
    type: "snapshot", seq,
    picture: { incidents, units, kpis: { open_i: 1 }, bcus: { AW: { available: 1 } }, as_of: "2026-11-24T21:00:00Z" },
    advice: { waiting: [], alerts: [] },
    ...extra,
  };
}

function events(seq, incidents, units, extra) {
  return {
    type: "events", seq,
    state: { incidents, units },
    kpis: { open_i: 2, bcus: { AW: { available: 0 } } },
    events: [{ event: { time: "2026-11-24T21:00:05Z" } }, { event: { time: "2026-11-24T21:00:09Z" } }],
    ...extra,
  };
}

test("a snapshot replaces the store: closed incidents and off-duty units left out", () => {
  const { p, live, changes } = store();
  live.incidents.set("stale", incident("stale"));
  live.apply(snapshot(10,
    [incident("a"), incident("b", { status: "closed" })],
    [unit("u1"), unit("u2", { status: "off_duty" })]));
  assert.deepEqual([...live.incidents.keys()], ["a"]);
  assert.deepEqual([...live.units.keys()], ["u1"]);
  assert.deepEqual(live.kpis, { open_i: 1 });
  assert.deepEqual(live.bcus, { AW: { available: 1 } });
  assert.deepEqual(live.advice, { waiting: [], alerts: [] });
  assert.equal(live.lastEventTime, "2026-11-24T21:00:00Z");
  assert.equal(live.seq, 10);
  assert.equal(live.connected, true);
  assert.equal(p.animationFrame(), 1);
  assert.deepEqual(changes, [{ reset: true, advice: true, incidents: [], units: [] }]);
});

test("events frames upsert and delete incidents and units by id", () => {
  const { p, live, changes } = store();
  live.apply(snapshot(10, [incident("a"), incident("b")], [unit("u1"), unit("u2"), unit("u3")]));
  p.animationFrame();
  const moved = unit("u1", { status: "en_route", incident_id: "a" });
  live.apply(events(11,
    { a: incident("a", { status: "assigned" }), b: incident("b", { status: "closed" }), c: incident("c") },
    { u1: moved, u2: unit("u2", { status: "off_duty" }), u3: null }));
  assert.deepEqual([...live.incidents.keys()].sort(), ["a", "c"]);
  assert.equal(live.incidents.get("a").status, "assigned");
  assert.deepEqual([...live.units.keys()], ["u1"]);
  assert.equal(live.units.get("u1"), moved);
  assert.deepEqual(live.kpis, { open_i: 2, bcus: { AW: { available: 0 } } });
  assert.deepEqual(live.bcus, { AW: { available: 0 } });
  assert.equal(live.lastEventTime, "2026-11-24T21:00:09Z");
  assert.equal(live.seq, 11);
  p.animationFrame();
  assert.deepEqual(changes[1], { reset: false, advice: false, incidents: ["a", "b", "c"], units: ["u1", "u2", "u3"] });
});

test("an events frame keeps the BCUs, advice and event time it does not carry", () => {
  const { live } = store();
  live.apply(snapshot(10, [], []));
  live.apply({ type: "events", seq: 11, state: { incidents: {}, units: {} }, kpis: { open_i: 0 }, events: [] });
  assert.deepEqual(live.bcus, { AW: { available: 1 } });
  assert.deepEqual(live.advice, { waiting: [], alerts: [] });
  assert.equal(live.lastEventTime, "2026-11-24T21:00:00Z");
  const advice = { waiting: [{ incident_id: "a" }], alerts: [] };
  live.apply(events(12, {}, {}, { advice }));
  assert.equal(live.advice, advice);
});

test("an advice frame replaces the advice and says so", () => {
  const { p, live, changes } = store();
  live.apply(snapshot(10, [], []));
  p.animationFrame();
  const advice = { waiting: [], alerts: [{ key: "k" }] };
  live.apply({ type: "advice", seq: 12, advice });
  assert.equal(live.advice, advice);
  assert.equal(live.seq, 12);
  p.animationFrame();
  assert.deepEqual(changes[1], { reset: false, advice: true, incidents: [], units: [] });
});

test("status frames hold the feed up with the server's reason, and release it", () => {
  const { p, B, live } = store();
  const banner = p.element("feed-banner");
  live.apply(snapshot(10, [], []));
  assert.equal(banner.hidden, true);
  live.apply({ type: "status", ok: false, reason: "the database is not answering" });
  assert.equal(live.heldUp, "the database is not answering");
  assert.equal(banner.hidden, false);
  assert.match(banner.textContent, /^Live feed held up: the database is not answering\./);
  assert.match(B.session.blocked(), /held up/);
  assert.equal(p.document.body.classList.contains("bl-commands-off"), true);
  live.apply({ type: "status", ok: true });
  assert.equal(live.heldUp, null);
  assert.equal(banner.hidden, true);
  assert.equal(B.session.blocked(), "");
  assert.equal(live.seq, 10);  // status frames carry no seq: the store's stays
});

test("seq follows the frames that carry one; an error frame changes nothing", () => {
  const { p, live } = store();
  live.apply(snapshot(10, [], []));
  live.apply(events(15, {}, {}));
  live.apply({ type: "advice", advice: null });
  assert.equal(live.seq, 15);
  const frames = live.frames;
  live.apply({ type: "error", seq: 99, code: "bad_since", reason: "too old" });
  assert.equal(live.seq, 15);
  assert.equal(live.frames, frames);
  assert.deepEqual(p.warnings, ["live feed: bad_since: too old"]);
});

test("a burst of frames reaches the screens as one change", () => {
  const { p, live, changes } = store();
  live.apply(snapshot(10, [incident("a")], []));
  live.apply(events(11, { b: incident("b") }, {}));
  live.apply(events(12, {}, { u1: unit("u1") }));
  assert.equal(p.animationFrame(), 1);
  assert.deepEqual(changes, [{ reset: true, advice: true, incidents: ["b"], units: ["u1"] }]);
  assert.equal(p.animationFrame(), 0);
  assert.deepEqual(Array.from(live.applied, (a) => a[0]), [12]);
});

test("commands are blocked until the feed is connected, and when the session ends", () => {
  const { B, live } = store();
  assert.match(B.session.blocked(), /^Not connected/);
  live.apply(snapshot(1, [], []));
  assert.equal(B.session.blocked(), "");
  B.session.expired = "signed out elsewhere";
  assert.match(B.session.blocked(), /^Your session has ended/);
});
