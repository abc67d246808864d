// The wall (dashboard/assets/screen_wall.js) mounting on a store that is already filled,
// as it is when a commander moves to /wall from another screen of the same page.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { page } = require("./browser.js");

function wallPage() {
  const p = page({ pathname: "/wall" });
  const B = p.load("bluelamp.js", "live.js", "screen.js", "screen_wall.js");
  for (const id of ["kpis", "at-risk", "alerts", "bcu-table"]) { p.element(id); }
  return { p, B };
}

const ALERT = { key: "breach:CAD-1", text: "I-grade CAD-1 missed its target", bcu: "AW" };

test("the wall mounts on a store that already holds advice with alerts", () => {
  const { p, B } = wallPage();
  B.live.apply({
    type: "snapshot", seq: 5,
    picture: {
      incidents: [], units: [], as_of: "2026-11-24T21:00:00Z",
      kpis: { awaiting_unit: 0, open_i: 0, open_s: 0, i_within_target_last_hour: null, available_units: 3, on_duty_units: 4 },
      bcus: { AW: { load: 0.2, open_by_grade: { I: 0, S: 0 }, available: 3, capacity: 4 } },
    },
    advice: { waiting: [], at_risk: [], alerts: [ALERT], acknowledged: [], mutual_aid: [] },
  });
  const root = p.element("wall");
  const screen = B.screens.wall(root, { role: "commander", user: "cmd" });
  const alerts = p.document.getElementById("alerts").innerHTML;
  assert.match(alerts, /I-grade CAD-1 missed its target/);
  assert.match(alerts, /data-ack='breach:CAD-1'/);
  assert.match(p.document.getElementById("bcu-table").innerHTML, /<th>AW<\/th><td>0<\/td>/);
  screen.stop();
});
