// Replay (dashboard/assets/js/replay.js): links and times (pure), and a page in replay: the
// store filled from /api/replay frames, commands off, nothing but reads sent, back to live.
import { answering, elements, settle } from "./page.js";
import test from "node:test";
import assert from "node:assert/strict";
import { enter, fromLink, lastNight, leave, linkFor, liveLink, marks, place, step, zonedToUtc } from "../../dashboard/assets/js/replay.js";
import { blocked } from "../../dashboard/assets/js/feed.js";
import { live } from "../../dashboard/assets/js/store.js";
import { session } from "../../dashboard/assets/js/session.js";
import { alertWatch } from "../../dashboard/assets/js/inspector/alerts.js";
import { replayHref } from "../../dashboard/assets/js/inspector/panel.js";
import { sound } from "../../dashboard/assets/js/inspector/sound.js";

const sockets = [];
globalThis.WebSocket = class { constructor(url) { this.url = url; sockets.push(this); } close() { this.closed = true; } };
const ms = (text) => Date.parse(text);

test("a replay link gives its period, position and speed, and says what is wrong with a bad one", () => {
  const ask = fromLink("?bcu=NE&replay=2026-11-25T22:00:00Z/2026-11-26T04:00:00Z&at=2026-11-26T01:30:00Z&speed=60&incident=C1");
  assert.deepEqual(ask, { from: ms("2026-11-25T22:00:00Z"), to: ms("2026-11-26T04:00:00Z"), at: ms("2026-11-26T01:30:00Z"), speed: 60, incident: "C1" });
  const plain = fromLink("?replay=2026-11-25T22:00:00Z/2026-11-26T04:00:00Z&speed=7&at=2026-11-27T00:00:00Z");
  assert.equal(plain.speed, 1, "a speed the controls do not offer is 1×");
  assert.equal(plain.at, ms("2026-11-26T04:00:00Z"), "a position after the period is its end");
  assert.equal(fromLink("?bcu=NE"), null);
  assert.match(fromLink("?replay=2026-11-26T04:00:00Z/2026-11-25T22:00:00Z").error, /first before the second/);
  assert.match(fromLink("?replay=yesterday").error, /not two times/);
});

test("a link made at a position opens that position, and back to live keeps the desk's place", () => {
  const replay = { from: ms("2026-11-25T22:00:00Z"), to: ms("2026-11-26T04:00:00Z"), clock: ms("2026-11-26T00:15:30Z"), speed: 10 };
  const link = linkFor("?bcu=NE&incident=C1", "/inspector", replay);
  assert.equal(link.split("?")[0], "/inspector");
  const again = fromLink(link.slice(link.indexOf("?")));
  assert.deepEqual([again.from, again.to, again.at, again.speed, again.incident], [replay.from, replay.to, replay.clock, 10, "C1"]);
  assert.equal(new URLSearchParams(link.split("?")[1]).get("bcu"), "NE");
  assert.equal(liveLink(link.slice(link.indexOf("?")), "/inspector"), "/inspector?bcu=NE&incident=C1");
  assert.equal(liveLink("?replay=a/b&at=x&speed=1", "/wall"), "/wall");
});

test("times typed on a London screen mean London's clock, summer and winter", () => {
  assert.equal(zonedToUtc("2026-11-25T22:00", "Europe/London"), ms("2026-11-25T22:00:00Z"));
  assert.equal(zonedToUtc("2026-07-01T22:00", "Europe/London"), ms("2026-07-01T21:00:00Z"));
  assert.equal(zonedToUtc("2026-07-01T22:00", "Asia/Kolkata"), ms("2026-07-01T16:30:00Z"));
  assert.ok(isNaN(zonedToUtc("", "Europe/London")));
});

test("last night is the latest 22:00 to 04:00 that has begun, ending no later than now", () => {
  const morning = lastNight(ms("2026-11-26T10:00:00Z"), "Europe/London");
  assert.deepEqual(morning, { from: ms("2026-11-25T22:00:00Z"), to: ms("2026-11-26T04:00:00Z") });
  const small = lastNight(ms("2026-11-26T02:00:00Z"), "Europe/London");
  assert.deepEqual(small, { from: ms("2026-11-25T22:00:00Z"), to: ms("2026-11-26T02:00:00Z") });
  const summer = lastNight(ms("2026-07-02T08:00:00Z"), "Europe/London");
  assert.deepEqual(summer, { from: ms("2026-07-01T21:00:00Z"), to: ms("2026-07-02T03:00:00Z") });
});

test("the incident's moments and the advice it had are marked where they fall in the period", () => {
  const from = ms("2026-11-25T22:00:00Z"), to = ms("2026-11-26T00:00:00Z");
  const record = (seq, type, time) => ({ seq, event: { type, time, data: {}, source: "cad" } });
  const found = marks([
    record(1, "incident.created", "2026-11-25T23:00:00Z"), record(2, "advice.offered", "2026-11-25T23:00:05Z"),
    record(3, "incident.noted", "2026-11-25T23:01:00Z"), record(4, "incident.assigned", "2026-11-25T23:02:00Z"),
    record(5, "incident.arrived", "2026-11-26T00:30:00Z"),
  ], from, to);
  assert.deepEqual(found.map((m) => [m.seq, m.label, m.where]), [[1, "created", 0.5], [2, "advised", place(ms("2026-11-25T23:00:05Z"), from, to)], [4, "assigned", 62 / 120], [5, "arrived", null]]);
});

const frameAt = (seq, type, extra) => ({ type, seq, time: "2026-11-25T23:00:0" + seq + "Z", ...extra });
const snapshotFrame = frameAt(3, "snapshot", {
  picture: { incidents: [{ incident_id: "C1", status: "open", grade: "I", bcu: "NE" }], units: [], kpis: {}, bcus: {}, as_of: "2026-11-25T23:00:00Z" },
  advice: { waiting: [], alerts: [], version: 0, recommendations: null },
});
const eventsFrame = frameAt(4, "events", {
  events: [{ seq: 4, event: { type: "incident.closed", time: "2026-11-25T23:00:04Z", data: {} } }],
  state: { incidents: { C1: { incident_id: "C1", status: "closed" } }, units: {} }, kpis: { bcus: {} },
  advice: { waiting: [], alerts: [], version: 0, recommendations: null }, more: false,
});

test("a page in replay shows the frames it asks for, sends no command, and one click goes back to live", async () => {
  elements("replay-bar", "feed-banner", "freshness", "clock");
  const asked = answering((method, path) => {
    if (path.startsWith("/api/replay/snapshot")) { return { status: 200, body: snapshotFrame }; }
    if (path.startsWith("/api/replay/events")) { return { status: 200, body: eventsFrame }; }
    return { status: 404, body: { detail: "no such thing" } };
  });
  await enter({ from: ms("2026-11-25T22:00:00Z"), to: ms("2026-11-26T04:00:00Z"), at: ms("2026-11-25T23:00:00Z"), speed: 10 });
  assert.equal(live.seq, 3);
  assert.deepEqual([...live.incidents.keys()], ["C1"]);
  assert.match(blocked(), /Replay: commands are off/);
  assert.equal(document.getElementById("replay-bar").hidden, false);
  assert.match(document.getElementById("replay-bar").textContent, /REPLAY/);
  assert.match(document.getElementById("replay-state").textContent, /paused 10× · seq 3/);
  step();
  await settle();
  assert.equal(live.seq, 4);
  assert.equal(live.incidents.size, 0, "the closed incident left the replayed store");
  assert.match(asked.find(([, path]) => path.startsWith("/api/replay/events"))[1], /after=3&.*limit=1/);
  assert.deepEqual(asked.filter(([method]) => method !== "GET"), [], "a replay only reads");
  const opened = sockets.length;
  leave();
  assert.equal(live.replay, null);
  assert.equal(live.seq, 0, "emptied until the live snapshot comes");
  assert.equal(sockets.length, opened + 1, "the live feed is opened again");
  assert.ok(!sockets[sockets.length - 1].url.includes("since="), "from a snapshot, not from the replay's seq");
  assert.doesNotMatch(blocked(), /Replay/);
  assert.equal(document.getElementById("replay-bar").hidden, true);
});

test("a planner replaying a period is offered its debrief; a wall is not", async () => {
  elements("replay-bar", "feed-banner", "freshness", "clock");
  answering((method, path) => (path.startsWith("/api/replay/snapshot") ? { status: 200, body: snapshotFrame } : { status: 404, body: {} }));
  session.me = { role: "planner" };
  await enter({ from: ms("2026-11-25T22:00:00Z"), to: ms("2026-11-26T04:00:00Z"), at: ms("2026-11-25T22:00:00Z"), speed: 1 });
  const link = document.querySelector(".bl-debrief");
  assert.equal(link.getAttribute("href"), "/api/debrief?from=2026-11-25T22%3A00%3A00Z&to=2026-11-26T04%3A00%3A00Z");
  leave();
  session.me = { role: "wall" };
  await enter({ from: ms("2026-11-25T22:00:00Z"), to: ms("2026-11-26T04:00:00Z"), at: ms("2026-11-25T22:00:00Z"), speed: 1 });
  assert.equal(document.querySelector(".bl-debrief"), null);
  leave();
  session.me = null;
});

test("no alert or beep for a replayed call, nor a burst of them back to live", () => {
  const { "inspector-alert": banner } = elements("inspector-alert");
  const beeps = [];
  sound.beep = (why) => beeps.push(why);
  const watch = alertWatch();
  const call = (id) => ({ incident_id: id, grade: "I", bcu: "AW", status: "open", category: "violence" });
  live.incidents = new Map([["R1", call("R1")]]);
  watch.check("AW", 0);
  live.replay = { from: 0 };
  live.incidents.set("R2", call("R2"));
  watch.check("AW", 0);
  assert.equal(banner.textContent, "");
  live.replay = null;
  live.incidents = new Map([["L1", call("L1")], ["L2", call("L2")]]);
  watch.check("AW", 0);
  assert.deepEqual([banner.textContent, beeps], ["", []], "the live snapshot is not news");
  live.incidents.set("L3", call("L3"));
  watch.check("AW", 0);
  assert.match(banner.textContent, /New I-grade L3/);
  assert.deepEqual(beeps, ["New"]);
});

test("an incident's replay link runs from a minute before it was created to a minute after it closed", () => {
  const d = { state: { bcu: "NE" } };
  const link = replayHref(d, { incident_id: "C9", created_at: "2026-11-25T23:10:00+00:00", closed_at: "2026-11-25T23:50:30+00:00" });
  const ask = fromLink(link.slice(link.indexOf("?")));
  assert.deepEqual([ask.from, ask.to, ask.at, ask.incident], [ms("2026-11-25T23:09:00Z"), ms("2026-11-25T23:51:30Z"), ms("2026-11-25T23:09:00Z"), "C9"]);
  assert.equal(new URLSearchParams(link.split("?")[1]).get("bcu"), "NE");
});
