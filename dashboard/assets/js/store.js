// The live store: open incidents and on-duty units by id, KPIs, BCUs and advice, as the
// /ws feed's frames (live.js) leave them. Screens subscribe with onChange and are told once
// per animation frame what changed, so a burst of frames costs one repaint. A unit that only
// moved (an AVL ping) is repainted at most every moveMs: changes of status paint at once.

export const live = {
  seq: 0,
  incidents: new Map(),   // open incidents by id (closed ones leave)
  units: new Map(),       // on-duty units by id
  kpis: null,
  bcus: {},
  advice: null,
  connected: false,
  heldUp: null,           // why the server says the feed is held up, while it does
  lastFrameAt: null,      // when the last frame (or heartbeat) arrived, by this clock
  lastEventTime: null,    // the event time of the newest event applied
  applied: [],            // per repaint: [seq, epoch ms, apply ms, positions seq]
  positionsSeq: 0,        // every unit's move up to this seq is painted (docs/performance.md)
  replay: null,           // while this page replays the log (replay.js): its state
};

let listeners = [];
const feedListeners = [];
let pending = fresh();
let scheduled = false;

// Pings move a busy London's units hundreds of times a second, and a wall repainting the
// units' canvas for them every frame pays for it in CPU (bench_cadence, docs/performance.md),
// while a marker that moves within a second of its fix is as current as the fixes themselves
// (seconds apart). So a unit whose only change is where it is waits for the move repaint.
const POSITION = new Set(["lat", "lon", "fix_at", "borough"]);
let moveMs = 1000;
let moved = new Set();     // units that only moved since the last move repaint
let movesDue = null;       // the timer of the next move repaint
let lastMoves = -Infinity; // when (performance.now()) moves were last repainted

function fresh() { return { reset: false, incidents: new Set(), units: new Set(), advice: false }; }

// How often moved units are repainted at most (ms; 0: with every frame, as status changes).
export function setMoveMs(ms) { moveMs = ms; }

// Whether the unit's only change is its position (it was on the map and still is).
function onlyMoved(before, after) {
  if (!before || !after || after.status === "off_duty") { return false; }
  for (const key in after) {
    if (!POSITION.has(key) && before[key] !== after[key]) { return false; }
  }
  return true;
}

function forgetMoves() {
  moved = new Set();
  clearTimeout(movesDue);
  movesDue = null;
}

// listener(change) once per animation frame with what changed; returns the unsubscribe.
export function onChange(listener) {
  listeners.push(listener);
  return () => { listeners = listeners.filter((l) => l !== listener); };
}

// listener() whenever the feed's state (connected, held up) may have changed.
export function onFeedState(listener) {
  feedListeners.push(listener);
}

export function feedChanged() { feedListeners.forEach((listener) => listener()); }

// Event time, not this browser's clock: in a replay or a simulation they differ.
export function now() { return live.lastEventTime ? Date.parse(live.lastEventTime) : Date.now(); }

function keep(incident) { return incident && incident.status !== "closed"; }

function snapshot(frame) {
  live.incidents = new Map();
  live.units = new Map();
  frame.picture.incidents.forEach((i) => { if (keep(i)) { live.incidents.set(i.incident_id, i); } });
  frame.picture.units.forEach((u) => { if (u.status !== "off_duty") { live.units.set(u.unit_id, u); } });
  live.kpis = frame.picture.kpis;
  live.bcus = frame.picture.bcus;
  live.advice = frame.advice;
  live.lastEventTime = frame.picture.as_of;
  forgetMoves();
  pending.reset = true;
  pending.advice = true;
}

function events(frame) {
  const state = frame.state;
  for (const [id, incident] of Object.entries(state.incidents)) {
    if (keep(incident)) { live.incidents.set(id, incident); } else { live.incidents.delete(id); }
    pending.incidents.add(id);
  }
  for (const [id, unit] of Object.entries(state.units)) {
    const before = live.units.get(id);
    if (unit && unit.status !== "off_duty") { live.units.set(id, unit); } else { live.units.delete(id); }
    if (!pending.units.has(id) && onlyMoved(before, unit)) { moved.add(id); }
    else { pending.units.add(id); moved.delete(id); }
  }
  live.kpis = frame.kpis;
  live.bcus = frame.kpis.bcus || live.bcus;
  if (frame.advice) { live.advice = frame.advice; pending.advice = true; }
  const applied = frame.events;
  if (applied.length) { live.lastEventTime = applied[applied.length - 1].event.time; }
}

// One frame of the feed (or of a replay) into the store.
export function apply(frame) {
  live.lastFrameAt = Date.now();
  if (frame.type === "snapshot") { snapshot(frame); }
  else if (frame.type === "events") { events(frame); }
  else if (frame.type === "advice") { live.advice = frame.advice; pending.advice = true; }
  else if (frame.type === "status") { live.heldUp = frame.ok ? null : frame.reason; }
  else if (frame.type === "error") {
    console.warn("live feed: " + frame.code + ": " + frame.reason);
    return;
  }
  if (frame.seq !== undefined) { live.seq = frame.seq; }
  if (!live.connected || frame.type === "status") { live.connected = true; feedChanged(); }
  schedule();
}

// Empty, as a page that has had no frame: before a replay fills it, and after one, before the
// live feed's snapshot does.
export function clear() {
  live.seq = 0;
  live.incidents = new Map();
  live.units = new Map();
  live.kpis = null;
  live.bcus = {};
  live.advice = null;
  live.lastEventTime = null;
  forgetMoves();
  pending.reset = true;
  pending.advice = true;
  schedule();
}

// The socket closed: nothing is current until the next frame.
export function disconnected() {
  live.connected = false;
  live.heldUp = null;  // the next socket says again if the feed is still held up
  feedChanged();
}

function schedule() {
  if (scheduled) { return; }
  scheduled = true;
  requestAnimationFrame(flush);
}

// The moved units join this repaint when moveMs has passed since the last move repaint;
// otherwise a timer brings the repaint when it has.
function takeMoves(at) {
  if (!moved.size) { live.positionsSeq = live.seq; return; }
  if (at - lastMoves >= moveMs) {
    moved.forEach((id) => pending.units.add(id));
    forgetMoves();
    lastMoves = at;
    live.positionsSeq = live.seq;
  } else if (movesDue === null) {
    movesDue = setTimeout(() => { movesDue = null; schedule(); }, lastMoves + moveMs - at);
  }
}

function flush() {
  scheduled = false;
  const started = performance.now();
  takeMoves(started);
  const change = pending;
  pending = fresh();
  listeners.forEach((listener) => {
    try { listener(change); } catch (error) { console.error(error); }
  });
  const done = performance.now();
  // [seq on screen, when (ms since the epoch), how long the screens took to apply it, the
  // seq up to which every unit's position is on screen]
  live.applied.push([live.seq, performance.timeOrigin + done, done - started, live.positionsSeq]);
  if (live.applied.length > 5000) { live.applied.splice(0, 2500); }
}
