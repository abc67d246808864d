// Replay: the wall or the inspector's desk shows a past period of the log instead of the live
// feed. The store (store.js) is filled from GET /api/replay/snapshot and /api/replay/events,
// the live feed's own frames for a past moment, so the replayed screens are the live screens.
// This page's socket is closed meanwhile (nobody else's feed changes), every command is off
// (feed.js blocked()), and the REPLAY bar with the replayed time stays in view. A replay is a
// link: ?replay=<from>/<to>&at=<time>&speed=10 (plus the desk's own bcu and incident).
import { byId, fill, h } from "./dom.js";
import { timelineWords } from "./inspector/panel.js";
import { start as startLive, stop as stopLive } from "./live.js";
import { request, session } from "./session.js";
import { apply, clear, feedChanged, live } from "./store.js";

export const SPEEDS = [1, 10, 60];
const TICK_MS = 250;
const LIMIT = 2000;  // records a frame at most: a long jump forward comes in several
// The incident's own moments, marked on the timeline.
const MOMENTS = { "incident.created": "created", "incident.assigned": "assigned", "incident.arrived": "arrived", "incident.closed": "closed" };
const PARAMS = ["replay", "at", "speed"];

let r = null;  // the replay, while there is one
let timer = null;

// -- pure: links, times -------------------------------------------------------------------

// The replay a page's address asks for: {from, to, at, speed, incident} (times in ms since
// the epoch), or null if it asks for none or for one that cannot be (said in .error).
export function fromLink(search) {
  const params = new URLSearchParams(search);
  const period = params.get("replay");
  if (!period) { return null; }
  const [from, to] = period.split("/").map((t) => Date.parse(t));
  if (isNaN(from) || isNaN(to) || from >= to) {
    return { error: "This replay link's period (" + period + ") is not two times, the first before the second." };
  }
  const at = Date.parse(params.get("at") || "");
  const speed = parseInt(params.get("speed"), 10);
  return {
    from, to,
    at: isNaN(at) ? from : Math.min(Math.max(at, from), to),
    speed: SPEEDS.indexOf(speed) >= 0 ? speed : 1,
    incident: params.get("incident") || null,
  };
}

// The address of a replay at its position, keeping the page's other parameters (bcu, incident).
export function linkFor(search, pathname, replay) {
  const params = new URLSearchParams(search);
  params.set("replay", iso(replay.from) + "/" + iso(replay.to));
  params.set("at", iso(replay.clock));
  params.set("speed", String(replay.speed));
  return pathname + "?" + params.toString();
}

// The address with the replay taken out (back to live).
export function liveLink(search, pathname) {
  const params = new URLSearchParams(search);
  PARAMS.forEach((name) => params.delete(name));
  const rest = params.toString();
  return pathname + (rest ? "?" + rest : "");
}

export function iso(ms) { return new Date(ms).toISOString().replace(".000Z", "Z"); }

// The instant a wall clock in ``zone`` shows as ``local`` ("2026-11-25T22:00"): what a
// datetime-local input means on a screen that shows the display time zone.
export function zonedToUtc(local, zone) {
  const guess = Date.parse(local + "Z");
  if (isNaN(guess)) { return NaN; }
  const offset = (at) => zonedAsUtc(at, zone) - at;
  const first = guess - offset(guess);
  return guess - offset(first);  // again, in case the first guess fell across a clock change
}

function zonedAsUtc(at, zone) {
  const parts = {};
  new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(at)).forEach((p) => { parts[p.type] = p.value; });
  return Date.UTC(+parts.year, parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
}

// "Last night": the latest 22:00 to 04:00 in ``zone`` that has begun by ``now`` (its end no
// later than now).
export function lastNight(now, zone) {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date(now));
  let day = today;
  let from = zonedToUtc(day + "T22:00", zone);
  if (from > now) { day = dayAfter(today, -1); from = zonedToUtc(day + "T22:00", zone); }
  return { from, to: Math.min(zonedToUtc(dayAfter(day, 1) + "T04:00", zone), now) };
}

function dayAfter(day, by) {
  return new Date(Date.parse(day + "T12:00:00Z") + by * 86400000).toISOString().slice(0, 10);
}

// Where on the timeline (0..1) a moment falls, or null outside the period.
export function place(ms, from, to) {
  return ms < from || ms > to ? null : (ms - from) / (to - from);
}

// The incident's moments and the recommender's advice, from its timeline, for the marks.
export function marks(timeline, from, to) {
  return timeline.filter((t) => MOMENTS[t.event.type] || t.event.type === "advice.offered").map((t) => {
    const at = Date.parse(t.event.time);
    return { seq: t.seq, at, where: place(at, from, to), label: MOMENTS[t.event.type] || "advised", record: t };
  });
}

// -- talking to the server ----------------------------------------------------------------

function zone() {
  const clock = byId("clock");
  return (clock && clock.getAttribute("data-timezone")) || "Europe/London";
}

// What a datetime-local input shows for ``ms`` in the display time zone ("2026-11-25T22:00").
function local(ms) {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: zone(), dateStyle: "short", timeStyle: "short" }).format(new Date(ms)).replace(" ", "T");
}

function shown(ms) {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: zone(), weekday: "short", day: "2-digit", month: "short",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  }).format(new Date(ms));
}

// The server refuses a moment in its future: the newest a replay asks for is a moment ago.
const latest = () => Date.now() - 1000;

function failed(answer) {
  const detail = answer.body && answer.body.detail;
  r.error = answer.status + ": " + (typeof detail === "string" ? detail : "no reason given");
  pause();
  renderBar();
}

function snapshotAt(ms) {
  const mine = r;
  mine.busy = true;
  mine.clock = Math.min(ms, latest());
  return request("GET", "/api/replay/snapshot?at=" + encodeURIComponent(iso(mine.clock))).then((answer) => {
    if (r !== mine) { return; }
    mine.busy = false;
    if (answer.status === 422 && /before the log/.test(answer.body.detail || "")) {
      return request("GET", "/api/replay/snapshot?at=1").then((first) => {
        if (r !== mine) { return; }
        if (first.status !== 200) { failed(first); return; }
        mine.note = "The log begins after this period starts: shown from its first record.";
        took(first.body);
      });
    }
    if (answer.status !== 200) { failed(answer); return; }
    mine.error = null;
    took(answer.body);
  });
}

function took(frame) {
  r.seq = frame.seq;
  r.recorded = Date.parse(frame.time);
  apply(frame);
  renderBar();
}

// The records after what is shown, up to ``at`` (a time in ms, or "seq" for the next one).
function eventsTo(at, limit) {
  const mine = r;
  mine.busy = true;
  const moment = at === "next" ? iso(latest()) : iso(at);
  const path = "/api/replay/events?after=" + mine.seq + "&at=" + encodeURIComponent(moment) + "&limit=" + limit;
  return request("GET", path).then((answer) => {
    if (r !== mine) { return null; }
    mine.busy = false;
    if (answer.status === 422 && /before the log/.test(answer.body.detail || "")) { return null; }
    if (answer.status !== 200) { failed(answer); return null; }
    took(answer.body);
    return answer.body;
  });
}

// -- playing ------------------------------------------------------------------------------

function tick() {
  if (!r || !r.playing || r.busy) { return; }
  const now = performance.now();
  const elapsed = now - r.ticked;
  r.ticked = now;
  const end = Math.min(r.to, latest());
  r.clock = Math.min(end, r.clock + r.speed * elapsed);
  if (r.clock >= end) { pause(); }
  eventsTo(r.clock, LIMIT).then(renderBar);
}

export function play() {
  if (!r || r.playing) { return; }
  if (r.clock >= Math.min(r.to, latest())) { return; }
  r.playing = true;
  r.ticked = performance.now();
  timer = setInterval(tick, TICK_MS);
  renderBar();
}

export function pause() {
  if (!r) { return; }
  r.playing = false;
  if (timer) { clearInterval(timer); timer = null; }
  renderBar();
}

// One record on, however far in time it is.
export function step() {
  if (!r || r.busy) { return; }
  pause();
  eventsTo("next", 1).then((frame) => {
    if (frame && frame.events.length) { r.clock = Date.parse(frame.time); }
    renderBar();
  });
}

export function jump(ms) {
  if (!r || isNaN(ms)) { return; }
  snapshotAt(Math.min(Math.max(ms, r.from), r.to)).then(renderBar);
}

export function setSpeed(speed) {
  if (!r || SPEEDS.indexOf(speed) < 0) { return; }
  r.speed = speed;
  renderBar();
}

// -- in and out ---------------------------------------------------------------------------

// Replay {from, to, at, speed, incident} on this page: the live socket closes, the store
// empties and fills from the moment ``at``.
export function enter(ask) {
  if (r) { pause(); }
  stopLive();
  r = {
    from: ask.from, to: ask.to, clock: ask.at, speed: ask.speed || 1, incident: ask.incident || null,
    playing: false, busy: false, seq: 0, recorded: null, error: null, note: null, marks: [], ticked: 0,
  };
  live.replay = r;
  clear();
  feedChanged();
  renderBar();
  loadMarks();
  return snapshotAt(r.clock);
}

// One click back to live: the replay ends, the store empties, the live feed's snapshot fills it.
export function leave() {
  if (!r) { return; }
  pause();
  r = null;
  live.replay = null;
  window.history.replaceState(window.history.state, "", liveLink(window.location.search, window.location.pathname) + window.location.hash);
  clear();
  feedChanged();
  startLive();
  renderBar();
}

export function replaying() { return r; }

// The page's address asks for a replay: start it, and say so (else the caller starts live).
export function startFromLink() {
  const ask = fromLink(window.location.search);
  if (!ask) { return false; }
  if (ask.error) { r = null; showChooser(ask.error); return false; }
  enter(ask);
  return true;
}

function loadMarks() {
  const mine = r;
  if (!mine.incident) { return; }
  request("GET", "/api/incidents/" + encodeURIComponent(mine.incident)).then((answer) => {
    if (r !== mine) { return; }
    if (answer.status !== 200) { mine.note = "Incident " + mine.incident + ": " + (answer.body.detail || answer.status); }
    else { mine.marks = marks(answer.body.timeline, mine.from, mine.to); }
    renderBar(true);
  });
}

// -- the bar ------------------------------------------------------------------------------

const callsign = (unitId) => { const u = live.units.get(unitId); return u ? u.callsign : unitId; };

function controls() {
  const speedButtons = SPEEDS.map((s) => h("button", {
    class: "bl-button bl-speed", dataset: { replaySpeed: String(s) }, "aria-pressed": String(r.speed === s),
  }, s + "×"));
  const slider = h("input", {
    id: "replay-slider", type: "range", min: "0", max: "1000", step: "1",
    "aria-label": "Position in the replayed period",
  });
  const marksRow = h("div", { class: "bl-replay-marks" }, r.marks.filter((m) => m.where !== null).map((m) =>
    h("span", { class: "bl-replay-mark bl-mark-" + m.label, style: { left: (m.where * 100).toFixed(2) + "%" }, title: m.label + " " + shown(m.at) }, m.label)));
  return h("div", { class: "bl-replay-controls" },
    h("button", { id: "replay-play", class: "bl-button bl-primary" }, "Play"),
    h("button", { id: "replay-step", class: "bl-button" }, "Step"),
    speedButtons,
    h("div", { class: "bl-replay-track" }, slider, marksRow),
    h("label", { class: "bl-replay-jump" }, "Jump to ", h("input", { id: "replay-jump", type: "datetime-local", step: "1" })),
    h("button", { id: "replay-link", class: "bl-button" }, "Copy link"),
    h("button", { id: "replay-live", class: "bl-button bl-primary" }, "Back to live"));
}

// The debrief PDFs (GET /api/incidents/{id}/debrief, /api/debrief?from=&to=) for those who
// may export reports: the incident's, or the replayed period's.
function debriefLink() {
  const role = session.me && session.me.role;
  if (role !== "commander" && role !== "planner") { return null; }
  const href = r.incident
    ? "/api/incidents/" + encodeURIComponent(r.incident) + "/debrief"
    : "/api/debrief?" + new URLSearchParams({ from: iso(r.from), to: iso(r.to) }).toString();
  return h("a", { class: "bl-debrief", href }, r.incident ? "Debrief (PDF)" : "Debrief this period (PDF)");
}

function ledger() {
  if (!r.incident) { return h("div", { class: "bl-replay-incident" }, debriefLink()); }
  const lines = r.marks.map((m) => h("li", { class: m.seq <= r.seq ? "bl-done" : "bl-muted" },
    shown(m.at) + " · " + timelineWords(m.record, callsign)));
  return h("div", { class: "bl-replay-incident" },
    h("strong", {}, "Incident " + r.incident), " ", debriefLink(), lines.length ? h("ol", { class: "bl-replay-ledger" }, lines) : null);
}

// Built again only when asked (rebuild: a new replay, its marks); the time, the slider and
// the buttons' states are updated in place at every tick, so a drag is never interrupted.
function renderBar(rebuild) {
  const bar = byId("replay-bar");
  if (!bar) { return; }
  if (!r) { if (!bar.dataset.choosing) { bar.hidden = true; fill(bar); } return; }
  bar.hidden = false;
  delete bar.dataset.choosing;
  if (rebuild || !byId("replay-time")) {
    fill(bar,
      h("div", { class: "bl-replay-banner", role: "status" },
        h("span", { class: "bl-replay-badge" }, "REPLAY"), " ",
        h("span", { id: "replay-time", class: "bl-replay-time" }), " ",
        h("span", { id: "replay-state", class: "bl-replay-state" }),
        h("span", { class: "bl-replay-period" }, "period " + shown(r.from) + " to " + shown(r.to) + " · commands are off; the live feed is untouched")),
      controls(),
      h("p", { id: "replay-error", class: "bl-error", role: "alert" }),
      ledger());
  }
  byId("replay-time").textContent = shown(r.clock);
  byId("replay-state").textContent = (r.playing ? "playing " : "paused ") + r.speed + "× · seq " + r.seq;
  byId("replay-play").textContent = r.playing ? "Pause" : "Play";
  document.querySelectorAll("button[data-replay-speed]").forEach((b) => { b.setAttribute("aria-pressed", String(+b.dataset.replaySpeed === r.speed)); });
  const slider = byId("replay-slider");
  if (slider && document.activeElement !== slider) { slider.value = String(Math.round(1000 * (r.clock - r.from) / (r.to - r.from))); }
  const error = byId("replay-error");
  error.textContent = r.error || r.note || "";
  error.hidden = !error.textContent;
  document.querySelectorAll(".bl-replay-ledger li").forEach((li, i) => {
    const done = r.marks[i] && r.marks[i].seq <= r.seq;
    li.className = done ? "bl-done" : "bl-muted";
  });
}

// The chooser: a period, then Start (also the place a bad link's reason is shown).
export function showChooser(why) {
  const bar = byId("replay-bar");
  if (!bar || r) { return; }
  const night = lastNight(Date.now(), zone());
  bar.hidden = false;
  bar.dataset.choosing = "1";
  fill(bar, h("form", { id: "replay-choose", class: "bl-replay-choose" },
    h("strong", {}, "Replay a period"), " ",
    h("label", {}, "From ", h("input", { id: "replay-from", type: "datetime-local", value: local(night.from), required: true })), " ",
    h("label", {}, "to ", h("input", { id: "replay-to", type: "datetime-local", value: local(night.to), required: true })), " ",
    h("button", { type: "button", class: "bl-button", dataset: { replayPreset: "night" } }, "Last night 22:00–04:00"),
    h("button", { type: "button", class: "bl-button", dataset: { replayPreset: "hour" } }, "Last hour"),
    h("button", { type: "submit", class: "bl-button bl-primary" }, "Start replay"),
    h("button", { type: "button", class: "bl-button", id: "replay-cancel" }, "Cancel"),
    h("p", { class: "bl-error", role: "alert", hidden: !why }, why || "")));
}

function hideChooser() {
  const bar = byId("replay-bar");
  if (!bar || r) { return; }
  delete bar.dataset.choosing;
  renderBar();
}

function chosen() {
  const from = zonedToUtc(byId("replay-from").value, zone());
  const to = Math.min(zonedToUtc(byId("replay-to").value, zone()), latest());
  if (isNaN(from) || isNaN(to) || from >= to) {
    showChooser("Choose a period whose start is before its end, and before now.");
    return;
  }
  const bar = byId("replay-bar");
  delete bar.dataset.choosing;
  const params = new URLSearchParams(window.location.search);
  enter({ from, to, at: from, speed: 1, incident: params.get("incident") });
  window.history.replaceState(window.history.state, "", linkFor(window.location.search, window.location.pathname, r));
}

function preset(name) {
  const now = latest();
  const period = name === "night" ? lastNight(now, zone()) : { from: now - 3600 * 1000, to: now };
  byId("replay-from").value = local(period.from);
  byId("replay-to").value = local(period.to);
}

function copyLink() {
  const link = window.location.origin + linkFor(window.location.search, window.location.pathname, r);
  window.history.replaceState(window.history.state, "", link);
  if (navigator.clipboard) { navigator.clipboard.writeText(link).catch(() => {}); }
  r.note = "Link: " + link;
  renderBar();
}

function onClick(event) {
  const target = event.target;
  if (!target || !target.closest) { return; }
  if (target.id === "replay-open") { if (r) { return; } showChooser(""); return; }
  const button = target.closest("button");
  if (!button || !button.closest("#replay-bar")) { return; }
  if (button.dataset.replayPreset) { preset(button.dataset.replayPreset); return; }
  if (button.dataset.replaySpeed) { setSpeed(+button.dataset.replaySpeed); return; }
  const actions = {
    "replay-play": () => (r.playing ? pause() : play()),
    "replay-step": step,
    "replay-live": leave,
    "replay-link": copyLink,
    "replay-cancel": hideChooser,
  };
  if (actions[button.id] && (r || button.id === "replay-cancel")) { actions[button.id](); }
}

function onChange(event) {
  if (!r) { return; }
  if (event.target.id === "replay-slider") { jump(r.from + (r.to - r.from) * (+event.target.value / 1000)); }
  if (event.target.id === "replay-jump") { jump(zonedToUtc(event.target.value, zone())); }
}

function onSubmit(event) {
  if (event.target.id !== "replay-choose") { return; }
  event.preventDefault();
  chosen();
}

export function watchReplay() {
  document.addEventListener("click", onClick);
  document.addEventListener("change", onChange);
  document.addEventListener("submit", onSubmit);
}
