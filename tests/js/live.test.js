// The live store (dashboard/assets/js/store.js) and the feed's state (feed.js): how frames
// are applied, what the screens are told, and when commands are blocked.
import { animationFrame, elements, timers, warnings } from "./page.js";
import test from "node:test";
import assert from "node:assert/strict";
import { apply, disconnected, live, onChange, setMoveMs } from "../../dashboard/assets/js/store.js";
import { blocked, watchFeed } from "../../dashboard/assets/js/feed.js";
import { end, resumed } from "../../dashboard/assets/js/session.js";

watchFeed();

// The store is the page's one store: each test starts from a snapshot and a fresh listener.
function store() {
  animationFrame();
  const changes = [];
  const stop = onChange((c) => changes.push({
    reset: c.reset, advice: c.advice, incidents: [...c.incidents].sort(), units: [...c.units].sort(),
  }));
  return { changes, stop };
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
  const { changes, stop } = store();
  live.incidents.set("stale", incident("stale"));
  apply(snapshot(10,
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
  assert.equal(animationFrame(), 1);
  assert.deepEqual(changes, [{ reset: true, advice: true, incidents: [], units: [] }]);
  stop();
});

test("events frames upsert and delete incidents and units by id", () => {
  const { changes, stop } = store();
  apply(snapshot(10, [incident("a"), incident("b")], [unit("u1"), unit("u2"), unit("u3")]));
  animationFrame();
  const moved = unit("u1", { status: "en_route", incident_id: "a" });
  apply(events(11,
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
  animationFrame();
  assert.deepEqual(changes[1], { reset: false, advice: false, incidents: ["a", "b", "c"], units: ["u1", "u2", "u3"] });
  stop();
});

test("an events frame keeps the BCUs, advice and event time it does not carry", () => {
  apply(snapshot(10, [], []));
  apply({ type: "events", seq: 11, state: { incidents: {}, units: {} }, kpis: { open_i: 0 }, events: [] });
  assert.deepEqual(live.bcus, { AW: { available: 1 } });
  assert.deepEqual(live.advice, { waiting: [], alerts: [] });
  assert.equal(live.lastEventTime, "2026-11-24T21:00:00Z");
  const advice = { waiting: [{ incident_id: "a" }], alerts: [] };
  apply(events(12, {}, {}, { advice }));
  assert.equal(live.advice, advice);
});

test("an advice frame replaces the advice and says so", () => {
  const { changes, stop } = store();
  apply(snapshot(10, [], []));
  animationFrame();
  const advice = { waiting: [], alerts: [{ key: "k" }] };
  apply({ type: "advice", seq: 12, advice });
  assert.equal(live.advice, advice);
  assert.equal(live.seq, 12);
  animationFrame();
  assert.deepEqual(changes[1], { reset: false, advice: true, incidents: [], units: [] });
  stop();
});

test("status frames hold the feed up with the server's reason, and release it", () => {
  const { "feed-banner": banner } = elements("feed-banner");
  apply(snapshot(10, [], []));
  apply({ type: "status", ok: true });
  assert.equal(banner.hidden, true);
  apply({ type: "status", ok: false, reason: "the database is not answering" });
  assert.equal(live.heldUp, "the database is not answering");
  assert.equal(banner.hidden, false);
  assert.match(banner.textContent, /^Live feed held up: the database is not answering\./);
  assert.match(blocked(), /held up/);
  assert.equal(document.body.classList.contains("bl-commands-off"), true);
  apply({ type: "status", ok: true });
  assert.equal(live.heldUp, null);
  assert.equal(banner.hidden, true);
  assert.equal(blocked(), "");
  assert.equal(live.seq, 10);  // status frames carry no seq: the store's stays
});

test("seq follows the frames that carry one; an error frame changes nothing and repaints nothing", () => {
  apply(snapshot(10, [], []));
  apply(events(15, {}, {}));
  apply({ type: "advice", advice: null });
  assert.equal(live.seq, 15);
  animationFrame();
  warnings.length = 0;
  apply({ type: "error", seq: 99, code: "bad_since", reason: "too old" });
  assert.equal(live.seq, 15);
  assert.equal(animationFrame(), 0);  // nothing for the screens to repaint
  assert.deepEqual(warnings, ["live feed: bad_since: too old"]);
});

test("a burst of frames reaches the screens as one change", () => {
  const { changes, stop } = store();
  const applied = live.applied.length;
  apply(snapshot(10, [incident("a")], []));
  apply(events(11, { b: incident("b") }, {}));
  apply(events(12, {}, { u1: unit("u1") }));
  assert.equal(animationFrame(), 1);
  assert.deepEqual(changes, [{ reset: true, advice: true, incidents: ["b"], units: ["u1"] }]);
  assert.equal(animationFrame(), 0);
  assert.deepEqual(live.applied.slice(applied).map((a) => a[0]), [12]);
  stop();
});

test("a unit that only moved waits for the next move repaint; a change of status paints at once", () => {
  const { changes, stop } = store();
  const at = (lat, extra) => unit("u1", { lat, lon: -0.1, fix_at: `2026-11-24T21:00:${lat}Z`, ...extra });
  setMoveMs(60_000);
  apply(snapshot(10, [], [at(10), unit("u2")]));
  animationFrame();
  apply(events(11, {}, { u1: at(11) }));
  animationFrame();  // the first move since the page loaded paints at once
  assert.deepEqual(changes[1].units, ["u1"]);
  assert.equal(live.positionsSeq, 11);
  const due = timers.length;
  apply(events(12, {}, { u1: at(12), u2: unit("u2", { status: "committed" }) }));
  animationFrame();
  assert.deepEqual(changes[2].units, ["u2"]);  // u1 moved again within the minute: it waits
  assert.equal(live.units.get("u1").lat, 12);  // the store has it; only the repaint waits
  assert.deepEqual(live.applied.at(-1).filter((_, i) => i !== 1 && i !== 2), [12, 11]);
  assert.equal(timers.length, due + 1);  // a timer brings the move repaint when it is due
  apply(events(13, {}, { u1: at(13, { status: "en_route" }) }));  // moved and changed status
  animationFrame();
  assert.deepEqual(changes[3].units, ["u1"]);
  assert.equal(live.positionsSeq, 13);
  apply(events(14, {}, { u1: at(14, { status: "en_route" }) }));
  animationFrame();
  assert.deepEqual(changes[4].units, []);
  setMoveMs(0);
  timers.at(-1).fn();
  animationFrame();
  assert.deepEqual(changes[5].units, ["u1"]);
  assert.equal(live.positionsSeq, 14);
  apply(events(15, {}, { u1: at(15, { status: "off_duty" }) }));
  animationFrame();
  assert.deepEqual(changes[6].units, ["u1"]);
  assert.equal(live.units.has("u1"), false);
  setMoveMs(1000);
  stop();
});

test("commands are blocked until the feed is connected, and when the session ends", () => {
  const { "feed-banner": banner } = elements("feed-banner");
  disconnected();
  assert.match(blocked(), /^Not connected/);
  assert.match(banner.textContent, /^Live feed lost/);
  apply(snapshot(1, [], []));
  assert.equal(blocked(), "");
  end("signed out elsewhere");
  assert.match(blocked(), /^Your session has ended/);
  assert.match(banner.textContent, /^Signed out/);
  resumed();
  assert.equal(blocked(), "");
});
