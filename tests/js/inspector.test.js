// The inspector's desk (dashboard/assets/js/inspector/): the queue's filters reached the
// way AG Grid reaches them (the external filter the desk registers on the grid), the panel
// on a filled store, and a user's grid selection kept through the feed's refreshes.
import { answering, at, dispatch, elements, settle } from "./page.js";
import test from "node:test";
import assert from "node:assert/strict";
import { apply, live } from "../../dashboard/assets/js/store.js";
import { inspector } from "../../dashboard/assets/js/inspector/desk.js";

// A grid: the options the desk sets, its rows by id, one selected row at most, and the
// listeners (selectionChanged runs when the test says, as AG Grid defers it).
function fakeGrid(key) {
  const options = {}, listeners = {}, selected = new Set();
  const node = (id) => ({ data: rowsById().get(id), isSelected: () => selected.has(id), setSelected(on, clear) {
    if (clear) { selected.clear(); }
    if (on) { selected.add(id); } else { selected.delete(id); }
  } });
  const rowsById = () => new Map((options.rowData || []).map((row) => [row[key], row]));
  const grid = {
    options, selected,
    setGridOption: (name, value) => { options[name] = value; },
    addEventListener: (type, fn) => { listeners[type] = fn; },
    fire: (type) => listeners[type] && listeners[type](),
    getSelectedRows: () => [...selected].map((id) => rowsById().get(id)).filter(Boolean),
    getRowNode: (id) => (rowsById().has(id) ? node(id) : null),
    applyTransaction() {},
    deselectAll: () => selected.clear(),
    onFilterChanged() {},
    forEachNode: (fn) => (options.rowData || []).forEach((data) => fn({ data })),
    shown: () => (options.rowData || [])
      .filter((row) => !options.isExternalFilterPresent() || options.doesExternalFilterPass({ data: row }))
      .map((row) => row[key]),
    getDisplayedRowCount: () => grid.shown().length,
  };
  return grid;
}

const INCIDENTS = [
  { incident_id: "CAD-1", reference: "MPS-001", grade: "I", status: "open", category: "violence", borough: "Westminster", address: "Oxford Street W1" },
  { incident_id: "CAD-2", reference: "MPS-002", grade: "S", status: "assigned", category: "road_traffic", borough: "Camden", address: "Euston Road" },
  { incident_id: "CAD-3", reference: "MPS-003", grade: "E", status: "open", category: "burglary", borough: "Westminster", address: "Oxford Street W1" },
  { incident_id: "CAD-4", reference: "MPS-004", grade: "I", status: "open", category: "violence", borough: "Hackney", address: "Mare Street" },
];

function snapshot(incidents, units, advice) {
  apply({ type: "snapshot", seq: 1, picture: { incidents, units, kpis: {}, bcus: { AW: { available: 1 } }, as_of: "2026-11-24T21:30:00Z" }, advice });
}

async function desk(search = "", me = { role: "inspector", bcu: "AW", commands: "own_bcu", user: "insp" }) {
  const queue = fakeGrid("incident_id"), units = fakeGrid("unit_id");
  const props = {};  // what the desk set on Dash components, by id
  globalThis.dash_clientside = { set_props(id, value) { props[id] = { ...props[id], ...value }; } };
  globalThis.dash_ag_grid = { getApiAsync: (id) => Promise.resolve(id === "queue" ? queue : units) };
  at("/inspector", search);
  const page = elements("inspector", "queue-filters", "detail", "actions", "result");
  page.inspector.setAttribute("data-bcus", "AW,CE");
  for (const id of ["detail", "actions"]) { page.inspector.appendChild(page[id]); }
  const screen = inspector(page.inspector, me);
  await settle();  // the grids' APIs arrive
  const filters = page["queue-filters"];
  return {
    page, queue, units, screen, props,
    count: () => document.getElementById("queue-count").textContent,
    toggleGrade: (grade) => dispatch(filters.querySelector(`[data-grade='${grade}']`), "click"),
    pickStatus: (value) => { const select = document.getElementById("queue-status"); select.value = value; dispatch(select, "change"); },
    type: (value) => { const box = document.getElementById("queue-search"); box.value = value; dispatch(box, "input"); },
  };
}

function fourIncidents() {
  snapshot(INCIDENTS.map((i, n) => ({ ...i, bcu: n < 3 ? "AW" : "CE", created_at: "2026-11-24T21:00:00Z", units: [] })), [], { waiting: [], alerts: [] });
}

test("the queue lists its BCU's incidents, unfiltered to start with", async () => {
  fourIncidents();
  const d = await desk();
  assert.deepEqual(d.queue.shown(), ["CAD-1", "CAD-2", "CAD-3"]);
  assert.equal(d.queue.options.isExternalFilterPresent(), false);
  assert.equal(d.count(), "");
  d.screen.stop();
});

test("grade chips hide and show a grade; the count says how many of all are shown", async () => {
  fourIncidents();
  const d = await desk();
  d.toggleGrade("E");
  assert.deepEqual(d.queue.shown(), ["CAD-1", "CAD-2"]);
  assert.equal(d.count(), "2 of 3 shown");
  assert.equal(document.querySelector("[data-grade='E']").getAttribute("aria-pressed"), "false");
  d.toggleGrade("E");
  assert.deepEqual(d.queue.shown(), ["CAD-1", "CAD-2", "CAD-3"]);
  assert.equal(d.count(), "");
  d.screen.stop();
});

test("the status filter keeps one status, named in words", async () => {
  fourIncidents();
  const d = await desk();
  assert.deepEqual([...document.querySelectorAll("#queue-status option")].map((o) => o.textContent),
    ["any status", "awaiting a unit", "unit on the way", "on scene"]);
  d.pickStatus("open");
  assert.deepEqual(d.queue.shown(), ["CAD-1", "CAD-3"]);
  d.pickStatus("assigned");
  assert.deepEqual(d.queue.shown(), ["CAD-2"]);
  d.pickStatus("");
  assert.deepEqual(d.queue.shown(), ["CAD-1", "CAD-2", "CAD-3"]);
  d.screen.stop();
});

test("search needs every word, in any of id, reference, category, borough or address", async () => {
  fourIncidents();
  const d = await desk();
  d.type("  OXFORD street ");
  assert.deepEqual(d.queue.shown(), ["CAD-1", "CAD-3"]);
  d.type("oxford burglary");
  assert.deepEqual(d.queue.shown(), ["CAD-3"]);
  d.type("mps-002");
  assert.deepEqual(d.queue.shown(), ["CAD-2"]);
  d.type("camden");
  assert.deepEqual(d.queue.shown(), ["CAD-2"]);
  d.type("road traffic");  // the category's words, as the queue shows it
  assert.deepEqual(d.queue.shown(), ["CAD-2"]);
  d.type("hackney");  // another BCU's incident is not in this queue
  assert.deepEqual(d.queue.shown(), []);
  assert.equal(d.count(), "0 of 3 shown");
  d.screen.stop();
});

test("filters combine", async () => {
  fourIncidents();
  const d = await desk();
  d.type("westminster");
  d.toggleGrade("I");
  assert.deepEqual(d.queue.shown(), ["CAD-3"]);
  d.pickStatus("assigned");
  assert.deepEqual(d.queue.shown(), []);
  d.screen.stop();
});

// As after moving here from the wall, or back in the browser's history: the store is full
// and the address names a unit and an incident when the screen mounts.
test("the desk mounts on a filled store: a mutual aid request, a unit and an incident selected", async () => {
  snapshot([{ ...INCIDENTS[1], bcu: "AW", units: ["U1"], lat: 51.5, lon: -0.1, created_at: "2026-11-24T21:00:00Z" }],
    [{ unit_id: "U1", callsign: "AW11", unit_type: "IRV", status: "en_route", bcu: "AW", incident_id: "CAD-2", lat: 51.5, lon: -0.1 }],
    { waiting: [], alerts: [], mutual_aid: [
      { request_id: "R1", unit_id: "U9", callsign: "CE9", from_bcu: "CE", to_bcu: "AW", incident_id: "CAD-2", grade: "S", category: "road_traffic", by: "insp", reason: "<nearest>" },
    ] });
  const d = await desk("?bcu=AW&incident=CAD-2&unit=U1", { role: "commander", commands: "all", user: "cmd" });
  const { detail, actions } = d.page;
  assert.match(detail.querySelector("h2").textContent, /MPS-002/);
  assert.ok([...detail.querySelectorAll("button")].some((b) => b.textContent === "Send another unit"));
  assert.equal(detail.querySelector("[data-arrive='U1']").textContent, "AW11 on scene");
  assert.equal(actions.querySelector("[data-grant='R1']").textContent, "Grant");
  assert.match(actions.querySelector(".bl-aid").textContent, /asked by insp: <nearest>/);
  assert.equal(actions.querySelector("[data-status='busy']").textContent, "busy");
  assert.equal(actions.querySelector("[data-status='off_duty']").textContent, "off duty");
  assert.deepEqual([d.queue.selected.has("CAD-2"), d.units.selected.has("U1")], [true, true]);
  // dash-ag-grid puts its selectedRows prop back after each rowData update: the prop says so too.
  assert.deepEqual([d.props.queue.selectedRows, d.props.units.selectedRows], [{ ids: ["CAD-2"] }, { ids: ["U1"] }]);
  dispatch(document.body, "keydown", { key: "Escape" });  // the key that lets go of both
  assert.deepEqual([d.props.queue.selectedRows, d.props.units.selectedRows, d.queue.selected.size], [[], [], 0]);
  d.screen.stop();
});

// What used to lose a click: the user selects another row; before AG Grid's deferred
// selectionChanged runs, the feed refreshes the grid.
test("a row the user selected stays selected through a refresh, and becomes the desk's", async () => {
  fourIncidents();
  const d = await desk("?bcu=AW&incident=CAD-1");
  assert.deepEqual([...d.queue.selected], ["CAD-1"]);
  d.queue.getRowNode("CAD-3").setSelected(true, true);  // the user's click
  apply({ type: "advice", seq: 2, advice: { waiting: [], alerts: [] } });
  live.connected = true;
  const { animationFrame } = await import("./page.js");
  animationFrame();  // the feed's refresh (every row set again)
  assert.deepEqual([...d.queue.selected], ["CAD-3"]);
  d.queue.fire("selectionChanged");
  assert.equal(new URLSearchParams(window.location.search).get("incident"), "CAD-3");
  assert.match(d.page.detail.querySelector("h2").textContent, /MPS-003/);
  d.screen.stop();
});

test("search reads the incidents as the store holds them now, after a new snapshot too", async () => {
  fourIncidents();
  const d = await desk();
  // A reconnect's snapshot (new maps in the store): CAD-2 has moved to Westminster.
  snapshot(INCIDENTS.slice(0, 3).map((i) => ({ ...i, bcu: "AW", borough: "Westminster", created_at: "2026-11-24T21:00:00Z", units: [] })), [], { waiting: [], alerts: [] });
  d.type("westminster");
  assert.deepEqual(d.queue.shown(), ["CAD-1", "CAD-2", "CAD-3"]);
  d.screen.stop();
});

test("the recommender's units come with their reasons, the call's outlook and this user's move-ups", async () => {
  const reasons = ["6 min away, 9 min inside the target", "AW's I-grade cover falls from 84% to 71%"];
  snapshot([{ ...INCIDENTS[0], bcu: "AW", units: [], lat: 51.5, lon: -0.1, created_at: "2026-11-24T21:25:00Z" }],
    [{ unit_id: "U1", callsign: "AW11", unit_type: "IRV", status: "available", bcu: "AW", lat: 51.5, lon: -0.1 },
      { unit_id: "U2", callsign: "AW12", unit_type: "IRV", status: "available", bcu: "AW", lat: 51.5, lon: -0.1 },
      { unit_id: "U3", callsign: "CE3", unit_type: "IRV", status: "available", bcu: "CE", lat: 51.5, lon: -0.1 }],
    { waiting: [{ incident_id: "CAD-1", nearest: [{ unit_id: "U3", callsign: "CE3", bcu: "CE", eta_s: 60 }] }], alerts: [], mutual_aid: [],
      recommendations: {
        calls: [{ incident_id: "CAD-1", words: "breaches unless a unit is sent within 9 min", suggestions: [
          { unit_id: "U1", callsign: "AW11", bcu: "AW", eta_s: 360, reasons, diverted_from: null }] }],
        cover: {}, expected_breaches: {},
        moves: [
          { advice_id: "M-2", unit_id: "U2", callsign: "AW12", from_bcu: "AW", to_bcu: "CE", borough: "Tower Hamlets", gain: 0.3, cover_before: 0.5, cover_after: 0.7, drive_s: 420 },
          { unit_id: "U3", callsign: "CE3", from_bcu: "CE", to_bcu: "CE", borough: "Tower Hamlets", gain: 0.2, cover_before: 0.5, cover_after: 0.6, drive_s: 300 }],
      } });
  const d = await desk("?bcu=AW&incident=CAD-1");
  const { detail, actions } = d.page;
  assert.equal(detail.querySelector(".bl-outlook").textContent, "breaches unless a unit is sent within 9 min");
  assert.deepEqual([...detail.querySelectorAll("[data-assign]")].map((b) => b.textContent), ["1 · Assign AW11 (AW, 6 min)"]);
  assert.equal(detail.querySelector(".bl-reasons").textContent, reasons.join(" · "));
  // Only the move of a unit this inspector commands (AW), with the way to carry it out.
  const moves = [...actions.querySelectorAll(".bl-move")];
  assert.equal(moves.length, 1);
  assert.match(moves[0].textContent, /^AW12 → stand by in Tower Hamlets \(CE\)/);
  assert.deepEqual([...moves[0].querySelectorAll("button")].map((b) => b.textContent), ["Accept", "Dismiss", "Select AW12"]);
  d.screen.stop();
});

const MOVE = { advice_id: "M-1", unit_id: "U1", callsign: "AW11", from_bcu: "AW", to_bcu: "CE", borough: "Tower Hamlets", gain: 0.3, cover_before: 0.5, cover_after: 0.7, drive_s: 420 };

function oneMove() {
  snapshot([], [{ unit_id: "U1", callsign: "AW11", unit_type: "IRV", status: "available", bcu: "AW", lat: 51.5, lon: -0.1 }],
    { waiting: [], alerts: [], mutual_aid: [], recommendations: { calls: [], cover: {}, expected_breaches: {}, moves: [MOVE] } });
}

test("accepting a move-up into another BCU records it, then asks to redeploy with the cover before and after", async () => {
  oneMove();
  const asked = answering((method, path) => (path === "/api/whatif"
    ? { status: 200, body: { unit_id: "U1", seq: 1, london: { before: 9, after: 9.2 }, bcus: { AW: { before: 0.84, after: 0.71 }, CE: { before: 0.5, after: 0.7 } } } }
    : { status: 200, body: { seq: 7, event_id: "e", duplicate: false } }));
  const d = await desk("?bcu=AW");
  dispatch(d.page.actions.querySelector("[data-accept-move='M-1']"), "click");
  await settle();
  const dialog = () => d.page.actions.querySelector(".bl-confirm");
  assert.ok(dialog(), "a redeployment out of the BCU is asked first");
  await settle();
  assert.deepEqual([...dialog().querySelectorAll(".bl-whatif li")].map((li) => li.textContent),
    ["AW I-grade cover 84% → 71%", "CE I-grade cover 50% → 70%"]);
  assert.deepEqual(asked.map(([method, path]) => [method, path]),
    [["POST", "/api/recommendations/M-1/acceptance"], ["POST", "/api/whatif"]]);
  assert.deepEqual(JSON.parse(asked[1][2]), { unit_id: "U1", bcu: "CE" });
  d.screen.stop();
});

test("a move-up is dismissed only with a reason, which is sent for the ledger", async () => {
  oneMove();
  const asked = answering(() => ({ status: 200, body: { seq: 8, event_id: "e", duplicate: false } }));
  const d = await desk("?bcu=AW");
  dispatch(d.page.actions.querySelector("[data-dismiss-move='M-1']"), "click");
  await settle();
  assert.equal(asked.length, 0);
  assert.equal(d.page.result.textContent, "✗ not sent: say why the move-up is dismissed");
  document.getElementById("move-reason").value = "needed for the school run";
  dispatch(d.page.actions.querySelector("[data-dismiss-move='M-1']"), "click");
  await settle();
  assert.deepEqual(asked.map(([method, path, body]) => [method, path, JSON.parse(body)]),
    [["POST", "/api/recommendations/M-1/dismissal", { reason: "needed for the school run" }]]);
  d.screen.stop();
});

test("the incident's log says what the recommender advised, and that it was the recommender", async () => {
  const { timelineWords } = await import("../../dashboard/assets/js/inspector/panel.js");
  const record = { event: { type: "advice.offered", source: "bluelamp-api/recommender", data: { kind: "assignment", unit_id: "U1", eta_s: 361 } } };
  assert.equal(timelineWords(record, (id) => (id === "U1" ? "AW11" : id)), "advised: send AW11 (6 min) · recommender");
});

test("a unit on scene is offered as a diversion from an E-grade call, never from an S-grade one", async () => {
  const why = "leaves the E-grade call it is at, which waits for another unit";
  const reasons = ["4 min away, 11 min inside the target", "AW's I-grade cover stays at 80%", why];
  for (const [grade, shown] of [["E", true], ["S", false]]) {
    snapshot([{ ...INCIDENTS[0], bcu: "AW", units: [], lat: 51.5, lon: -0.1, created_at: "2026-11-24T21:25:00Z" },
      { ...INCIDENTS[1], grade, status: "on_scene", bcu: "AW", units: ["U4"], lat: 51.5, lon: -0.1, created_at: "2026-11-24T21:20:00Z" }],
    [{ unit_id: "U4", callsign: "AW14", unit_type: "IRV", status: "on_scene", incident_id: "CAD-2", bcu: "AW", lat: 51.5, lon: -0.1 }],
    { waiting: [], alerts: [], mutual_aid: [],
      recommendations: { calls: [{ incident_id: "CAD-1", grade: "I", words: "breaches unless a unit is sent within 11 min", suggestions: [
        { unit_id: "U4", callsign: "AW14", bcu: "AW", eta_s: 240, reasons, diverted_from: "CAD-2" }] }],
      cover: {}, expected_breaches: {}, moves: [] } });
    answering(() => ({ status: 200, body: { seq: 9, event_id: "e", duplicate: false } }));
    const d = await desk("?bcu=AW&incident=CAD-1");
    const offered = d.page.detail.querySelector("[data-assign='U4']");
    assert.equal(Boolean(offered), shown, grade);
    if (offered) {
      dispatch(offered, "click");
      await settle();
      assert.equal(d.page.result.textContent, "✓ AW14 diverted to MPS-001 (MPS-002 waits again) (seq 9)");
    }
    d.screen.stop();
  }
});

test("a diversion is offered as \"Divert\", with why, and sends the same assignment", async () => {
  const why = "diverted from the S-grade call it is driving to, which waits again";
  const reasons = ["4 min away, 11 min inside the target", "AW's I-grade cover stays at 80%", why];
  snapshot([{ ...INCIDENTS[0], bcu: "AW", units: [], lat: 51.5, lon: -0.1, created_at: "2026-11-24T21:25:00Z" },
    { ...INCIDENTS[1], bcu: "AW", units: ["U4"], lat: 51.5, lon: -0.1, created_at: "2026-11-24T21:20:00Z" }],
  [{ unit_id: "U4", callsign: "AW14", unit_type: "IRV", status: "en_route", incident_id: "CAD-2", bcu: "AW", lat: 51.5, lon: -0.1 }],
  { waiting: [], alerts: [], mutual_aid: [],
    recommendations: { calls: [{ incident_id: "CAD-1", grade: "I", words: "breaches unless a unit is sent within 11 min", suggestions: [
      { unit_id: "U4", callsign: "AW14", bcu: "AW", eta_s: 240, reasons, diverted_from: "CAD-2" }] }],
    cover: {}, expected_breaches: {}, moves: [] } });
  const asked = answering(() => ({ status: 200, body: { seq: 9, event_id: "e", duplicate: false } }));
  const d = await desk("?bcu=AW&incident=CAD-1");
  const offered = d.page.detail.querySelector("[data-assign='U4']");
  assert.equal(offered.textContent, "1 · Divert AW14 (AW, 4 min)");
  assert.equal(d.page.detail.querySelector(".bl-divert-why").textContent, " from MPS-002, which waits again");
  assert.match(d.page.detail.querySelector(".bl-reasons").textContent, /which waits again$/);
  dispatch(offered, "click");
  await settle();
  assert.deepEqual(asked.filter(([method]) => method === "POST").map(([method, path, body]) => [method, path, JSON.parse(body)]),
    [["POST", "/api/units/U4/assignment", { incident_id: "CAD-1" }]]);
  assert.equal(d.page.result.textContent, "✓ AW14 diverted to MPS-001 (MPS-002 waits again) (seq 9)");
  d.screen.stop();
});

test("what we know here: warnings first, people by what the user may see, calls dated", async () => {
  const { contextLines } = await import("../../dashboard/assets/js/inspector/panel.js");
  const { queueRow } = await import("../../dashboard/assets/js/inspector/rows.js");
  const base = { radius_m: 100, since: "2025-11-24T20:00:00+00:00", counts: { calls: 1, markers: 1, people: 1 } };
  const marker = { marker_type: "violent_towards_police", distance_m: 19.6, set_at: "2026-03-01T10:00:00+00:00", review_date: "2027-06-30" };
  const call = { created_at: "2026-07-01T23:30:00+00:00", grade: "I", category: "concern_for_welfare", outcome: null, distance_m: 42 };
  const full = contextLines({ ...base, sight: "full", calls: [call],
    markers: [{ ...marker, text: "Threatened officers with a bat", address: "1 Test Street" }],
    people: [{ role: "victim", name: "Morwenna Quillfeather", date_of_birth: "1987-03-14", notes: "Lives alone", linked_at: "2026-11-24T21:05:00+00:00" }] });
  assert.deepEqual(full.map((l) => l.text), [
    "⚠ violent towards police · 20 m away · set 1 Mar 2026, review by 30 Jun 2027: Threatened officers with a bat (1 Test Street)",
    "victim: Morwenna Quillfeather, born 14 Mar 1987 · linked 24 Nov 2026 21:05:00 · Lives alone",
    "1 earlier calls within 100 m since 24 Nov 2025:",
    "2 Jul 2026 · I · concern for welfare · still open · 42 m",  // 00:30 in London (BST)
  ]);
  assert.equal(full[0].warning, true);
  const other = contextLines({ ...base, sight: "warnings", calls: [], markers: [{ ...marker, text: null, address: null }],
    people: [{ role: "victim", name: null, date_of_birth: null, notes: null, linked_at: "2026-11-24T21:05:00+00:00" }] });
  assert.equal(other[1].text, "victim (not named: another BCU's call) · linked 24 Nov 2026 21:05:00");
  assert.ok(!other.some((l) => /Threatened|Quillfeather/.test(l.text)));
  assert.deepEqual(contextLines({ ...base, sight: "counts", calls: [], markers: [], people: [] }).map((l) => l.text),
    ["1 earlier calls within 100 m since 24 Nov 2025 · 1 warning markers · 1 people linked (counts only)"]);
  const row = queueRow({ incident_id: "I1", grade: "I", category: "violence", status: "open", created_at: "2026-11-24T21:00:00Z", warnings: ["firearms", "dangerous_dog"], borough: "Westminster" }, {}, Date.parse("2026-11-24T21:05:00Z"));
  assert.equal(row.warnings, "⚠ firearms, ⚠ dangerous dog");
});

test("the log says a person was linked in their role, never who", async () => {
  const { timelineWords } = await import("../../dashboard/assets/js/inspector/panel.js");
  const record = { event: { type: "incident.person_linked", source: "cad", data: { incident_id: "I1", role: "witness", withheld: ["name", "date_of_birth"] } } };
  assert.equal(timelineWords(record, (id) => id), "witness linked");
});

test("a call whose unit runs late offers its back-up, sent to that call with one click", async () => {
  const late = { unit_id: "U5", callsign: "AW15", pace: 3.2, arrives_in_s: 1500, margin_s: -840 };
  const why = "AW15 is driving at 3.2× the usual time: 25 min to go, 14 min after the target";
  const reasons = ["4 min away, 7 min inside the target", "AW's I-grade cover falls from 84% to 80%"];
  snapshot([{ ...INCIDENTS[0], status: "assigned", bcu: "AW", units: ["U5"], lat: 51.5, lon: -0.1, created_at: "2026-11-24T21:25:00Z" }],
    [{ unit_id: "U5", callsign: "AW15", unit_type: "IRV", status: "en_route", incident_id: "CAD-1", bcu: "AW", lat: 51.55, lon: -0.1 },
      { unit_id: "U6", callsign: "AW16", unit_type: "IRV", status: "available", bcu: "AW", lat: 51.5, lon: -0.1 }],
    { waiting: [], alerts: [], mutual_aid: [],
      recommendations: { calls: [], cover: {}, expected_breaches: {}, moves: [], backups: [
        { incident_id: "CAD-1", reference: "MPS-001", bcu: "AW", running_late: late, reasons: [why, "the first unit on scene at MPS-001 stands the other down"],
          suggestion: { unit_id: "U6", callsign: "AW16", bcu: "AW", eta_s: 240, reasons, diverted_from: null }, advice_id: "B-1" },
        { incident_id: "CAD-9", reference: "MPS-009", bcu: "AW", running_late: late, reasons: [why],
          suggestion: { unit_id: "U6", callsign: "AW16", bcu: "AW", eta_s: 240, reasons }, advice_id: "B-9" }] } });
  const asked = answering(() => ({ status: 200, body: { seq: 11, event_id: "e", duplicate: false } }));
  const d = await desk("?bcu=AW");  // no incident selected: the card names its own call
  const cards = [...d.page.actions.querySelectorAll(".bl-backup")];
  assert.equal(cards.length, 1, "a call the store no longer holds shows no card");
  assert.match(cards[0].textContent, /^MPS-001 AW15 is driving at 3\.2× the usual time/);
  const send = cards[0].querySelector("[data-assign='U6']");
  assert.equal(send.textContent, "Send AW16 (AW, 4 min)");
  assert.equal(cards[0].querySelector(".bl-reasons").textContent, reasons.join(" · "));
  dispatch(send, "click");
  await settle();
  assert.deepEqual(asked.filter(([method]) => method === "POST").map(([method, path, body]) => [method, path, JSON.parse(body)]),
    [["POST", "/api/units/U6/assignment", { incident_id: "CAD-1" }]]);
  assert.equal(d.page.result.textContent, "✓ AW16 assigned to MPS-001 (seq 11)");
  d.screen.stop();
});

test("the log says a back-up was advised", async () => {
  const { timelineWords } = await import("../../dashboard/assets/js/inspector/panel.js");
  const record = { event: { type: "advice.offered", source: "bluelamp-api/recommender", data: { kind: "backup", unit_id: "U6", eta_s: 240 } } };
  assert.equal(timelineWords(record, (id) => (id === "U6" ? "AW16" : id)), "advised: send as back-up AW16 (4 min) · recommender");
});

test("a back-up that is another BCU's unit is named, with no Send for an inspector", async () => {
  const late = { unit_id: "U5", callsign: "AW15", pace: 2.5, arrives_in_s: 1200, margin_s: -300 };
  snapshot([{ ...INCIDENTS[0], status: "assigned", bcu: "AW", units: ["U5"], lat: 51.5, lon: -0.1, created_at: "2026-11-24T21:25:00Z" }],
    [{ unit_id: "U5", callsign: "AW15", unit_type: "IRV", status: "en_route", incident_id: "CAD-1", bcu: "AW", lat: 51.55, lon: -0.1 },
      { unit_id: "U7", callsign: "CE7", unit_type: "IRV", status: "available", bcu: "CE", lat: 51.5, lon: -0.1 }],
    { waiting: [], alerts: [], mutual_aid: [],
      recommendations: { calls: [], cover: {}, expected_breaches: {}, moves: [], backups: [
        { incident_id: "CAD-1", reference: "MPS-001", bcu: "AW", running_late: late, reasons: ["AW15 is driving at 2.5× the usual time"],
          suggestion: { unit_id: "U7", callsign: "CE7", bcu: "CE", eta_s: 300, reasons: [] }, advice_id: "B-2" }] } });
  const d = await desk("?bcu=AW");
  const [card] = d.page.actions.querySelectorAll(".bl-backup");
  assert.equal(card.querySelector("[data-assign]"), null);
  assert.equal(card.querySelector(".bl-foreign").textContent, "CE7 (CE, 5 min) is CE's: select the call to ask for mutual aid");
  d.screen.stop();
});
