// The inspector's queue (dashboard/assets/screen_inspector.js): "to target" in words, and
// the grade, status and search filters, reached the way AG Grid reaches them (the external
// filter the screen registers on the grid).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { page } = require("./browser.js");

// A grid: the options the screen sets, and the rows its external filter lets through.
function fakeGrid() {
  const options = {};
  const grid = {
    options,
    setGridOption: (name, value) => { options[name] = value; },
    addEventListener() {},
    getSelectedRows: () => [],
    getRowNode: () => null,
    applyTransaction() {},
    deselectAll() {},
    onFilterChanged() {},
    forEachNode: (fn) => (options.rowData || []).forEach((data) => fn({ data })),
    // Array.from: the rows are the page's arrays, compared here with this realm's.
    shown: () => Array.from(options.rowData || [])
      .filter((row) => !options.isExternalFilterPresent() || options.doesExternalFilterPass({ data: row }))
      .map((row) => row.incident_id),
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

async function inspector() {
  const queue = fakeGrid(), units = fakeGrid();
  const p = page({
    pathname: "/inspector",
    globals: {
      dash_clientside: { set_props() {} },
      dash_ag_grid: { getApiAsync: (id) => Promise.resolve(id === "queue" ? queue : units) },
    },
  });
  const B = p.load("bluelamp.js", "live.js", "screen.js", "screen_inspector.js");
  INCIDENTS.forEach((i, n) => B.live.incidents.set(i.incident_id, { ...i, bcu: n < 3 ? "AW" : "CE", created_at: "2026-11-24T21:00:00Z" }));
  const filters = p.element("queue-filters");
  const status = p.element("queue-status"), search = p.element("queue-search"), count = p.element("queue-count");
  const root = p.element("inspector");
  root.setAttribute("data-bcus", "AW,CE");
  B.screens.inspector(root, { role: "inspector", bcu: "AW", commands: "own_bcu", user: "insp" });
  await new Promise(setImmediate);  // the grids' APIs arrive
  const chip = (grade) => ({ closest: () => ({ dataset: { grade }, setAttribute() {} }) });
  return {
    queue,
    count,
    toggleGrade: (grade) => filters.dispatch("click", { target: chip(grade) }),
    pickStatus: (value) => status.dispatch("change", { target: { value } }),
    type: (value) => search.dispatch("input", { target: { value } }),
    toTarget: p.window.dashAgGridFunctions.toTarget,
    NO_TARGET: B.ui.NO_TARGET,
  };
}

test("the queue lists its BCU's incidents, unfiltered to start with", async () => {
  const desk = await inspector();
  assert.deepEqual(desk.queue.shown(), ["CAD-1", "CAD-2", "CAD-3"]);
  assert.equal(desk.queue.options.isExternalFilterPresent(), false);
  assert.equal(desk.count.textContent, "");
});

test("grade chips hide and show a grade; the count says how many of all are shown", async () => {
  const desk = await inspector();
  desk.toggleGrade("E");
  assert.deepEqual(desk.queue.shown(), ["CAD-1", "CAD-2"]);
  assert.equal(desk.count.textContent, "2 of 3 shown");
  desk.toggleGrade("E");
  assert.deepEqual(desk.queue.shown(), ["CAD-1", "CAD-2", "CAD-3"]);
  assert.equal(desk.count.textContent, "");
});

test("the status filter keeps one status", async () => {
  const desk = await inspector();
  desk.pickStatus("open");
  assert.deepEqual(desk.queue.shown(), ["CAD-1", "CAD-3"]);
  desk.pickStatus("assigned");
  assert.deepEqual(desk.queue.shown(), ["CAD-2"]);
  desk.pickStatus("");
  assert.deepEqual(desk.queue.shown(), ["CAD-1", "CAD-2", "CAD-3"]);
});

test("search needs every word, in any of id, reference, category, borough or address", async () => {
  const desk = await inspector();
  desk.type("  OXFORD street ");
  assert.deepEqual(desk.queue.shown(), ["CAD-1", "CAD-3"]);
  desk.type("oxford burglary");
  assert.deepEqual(desk.queue.shown(), ["CAD-3"]);
  desk.type("mps-002");
  assert.deepEqual(desk.queue.shown(), ["CAD-2"]);
  desk.type("camden");
  assert.deepEqual(desk.queue.shown(), ["CAD-2"]);
  desk.type("road traffic");  // the category's words, as the queue shows it
  assert.deepEqual(desk.queue.shown(), ["CAD-2"]);
  desk.type("hackney");  // another BCU's incident is not in this queue
  assert.deepEqual(desk.queue.shown(), []);
  assert.equal(desk.count.textContent, "0 of 3 shown");
});

test("filters combine", async () => {
  const desk = await inspector();
  desk.type("westminster");
  desk.toggleGrade("I");
  assert.deepEqual(desk.queue.shown(), ["CAD-3"]);
  desk.pickStatus("assigned");
  assert.deepEqual(desk.queue.shown(), []);
});

test("'to target': blank once attended, overdue in words, a warning under five minutes", async () => {
  const { toTarget, NO_TARGET } = await inspector();
  assert.equal(toTarget(NO_TARGET), "");
  assert.equal(toTarget(null), "");
  assert.equal(toTarget(-75), "⚠ 1:15 overdue");
  assert.equal(toTarget(299), "⚠ 4:59");
  assert.equal(toTarget(300), "5:00");
});

// As after moving here from the wall, or back in the browser's history: the store is full
// and the address names a unit and an incident when the screen mounts.
test("the desk mounts on a filled store: a mutual aid request, a unit and an incident selected", async () => {
  const queue = fakeGrid(), units = fakeGrid();
  const p = page({
    pathname: "/inspector", search: "?bcu=AW&incident=CAD-2&unit=U1",
    globals: {
      dash_clientside: { set_props() {} },
      dash_ag_grid: { getApiAsync: (id) => Promise.resolve(id === "queue" ? queue : units) },
    },
  });
  const B = p.load("bluelamp.js", "live.js", "screen.js", "screen_inspector.js");
  B.live.incidents.set("CAD-2", { ...INCIDENTS[1], bcu: "AW", units: ["U1"], lat: 51.5, lon: -0.1, created_at: "2026-11-24T21:00:00Z" });
  B.live.units.set("U1", { unit_id: "U1", callsign: "AW11", unit_type: "IRV", status: "en_route", bcu: "AW", incident_id: "CAD-2", lat: 51.5, lon: -0.1 });
  B.live.bcus = { AW: { available: 1 } };
  B.live.advice = { waiting: [], alerts: [], mutual_aid: [
    { request_id: "R1", unit_id: "U9", callsign: "CE9", from_bcu: "CE", to_bcu: "AW", incident_id: "CAD-2", grade: "S", category: "road_traffic", by: "insp", reason: "nearest" },
  ] };
  const detail = p.element("detail"), actions = p.element("actions");
  const root = p.element("inspector");
  root.setAttribute("data-bcus", "AW,CE");
  const desk = B.screens.inspector(root, { role: "commander", commands: "all", user: "cmd" });
  assert.match(detail.innerHTML, /MPS-002/);
  assert.match(detail.innerHTML, /Send another unit/);
  assert.match(detail.innerHTML, /AW11 on scene/);
  assert.match(actions.innerHTML, /data-grant='R1'/);
  assert.match(actions.innerHTML, /data-status='busy'/);
  desk.stop();
});
