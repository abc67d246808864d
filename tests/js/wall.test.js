// The wall (dashboard/assets/js/wall.js, wallboard.js) mounting on a store that is already
// filled, as it is when a commander moves to /wall from another screen of the same page.
import { answering, at, dispatch, elements, settle } from "./page.js";
import test from "node:test";
import assert from "node:assert/strict";
import { apply } from "../../dashboard/assets/js/store.js";
import { wall } from "../../dashboard/assets/js/wall.js";

const ALERT = { key: "breach:CAD-1", text: "I-grade <CAD-1> missed its target", bcu: "AW" };

function filled() {
  apply({
    type: "snapshot", seq: 5,
    picture: {
      incidents: [{ incident_id: "CAD-2", status: "open", grade: "I", bcu: "AW" }], units: [], as_of: "2026-11-24T21:00:00Z",
      kpis: { awaiting_unit: 1, open_i: 1, open_s: 0, i_within_target_last_hour: 0.5, available_units: 3, on_duty_units: 4 },
      bcus: { AW: { load: 0.2, open_by_grade: { I: 1, S: 0 }, available: 3, capacity: 4 }, CN: { load: 1.5, open_by_grade: { I: 0, S: 2 }, available: 0, capacity: 2 } },
    },
    advice: {
      as_of: "2026-11-24T21:00:00Z",
      waiting: [{ incident_id: "CAD-2", grade: "I", bcu: "AW", category: "concern_for_welfare", reference: "MPS-2", seconds_left: -30, nearest: [{ callsign: "AW11", eta_s: 240 }] }],
      at_risk: ["CAD-2"], alerts: [ALERT], mutual_aid: [],
      acknowledged: [{ key: "k2", text: "CN: no IRV available", acknowledged_by: "cmd2", acknowledged_at: "2026-11-24T21:00:00Z" }],
      recommendations: {
        calls: [], cover: { AW: 0.84, CN: 0.42 }, expected_breaches: { AW: 0.2, CN: 1.6 },
        moves: [{ unit_id: "U9", callsign: "AW9", from_bcu: "AW", to_bcu: "CN", borough: "Camden", gain: 0.31, cover_before: 0.42, cover_after: 0.6, drive_s: 540 }],
      },
    },
  });
}

test("the wall mounts on a store that already holds advice with alerts", () => {
  at("/wall");
  const page = elements("kpis", "at-risk", "alerts", ["bcu-table", "table"], ["moves", "ul"], "wall");
  filled();
  const screen = wall(page.wall, { role: "commander", user: "cmd" });
  const alerts = page.alerts;
  assert.equal(alerts.querySelector("li").firstChild.textContent, ALERT.text);  // text, not markup
  assert.equal(alerts.querySelector("button[data-ack]").dataset.ack, "breach:CAD-1");
  assert.equal(alerts.querySelector(".bl-acknowledged").textContent, "✓ CN: no IRV available · acknowledged by cmd2 at 21:00:00");
  const rows = [...page["bcu-table"].querySelectorAll("tbody tr")];
  assert.deepEqual(rows.map((r) => [...r.children].map((c) => c.textContent)), [
    ["AW", "1", "0", "3 / 4", "0.20", "–", "84%", "0.2"],
    ["CN", "0", "2", "0 / 2", "1.50", "–", "42%", "1.6"],
  ]);
  assert.equal(rows[1].querySelector(".bl-breaches").className, "bl-breaches bl-hot");
  assert.equal(rows[1].querySelector(".bl-cover").className, "bl-cover bl-hot");
  assert.equal(page.moves.textContent, "AW9 → stand by in Camden (CN) · +0.31 I-grade calls/h in reach · CN cover 42% → 60% · 9 min drive");
  assert.equal(rows[1].className, "bl-hot");
  assert.equal(page["bcu-table"].querySelector("caption").textContent, "usual: …");
  const kpis = [...page.kpis.querySelectorAll(".bl-kpi")].map((k) => [k.querySelector(".bl-kpi-label").textContent, k.querySelector(".bl-kpi-value").textContent]);
  assert.deepEqual(kpis[0], ["Awaiting a unit", "1"]);
  assert.deepEqual(kpis[3], ["I within 15 min (last hour)", "50%"]);
  assert.equal(page["at-risk"].textContent, "I AW · MPS-2 · concern for welfare · 0:30 overdue · AW11 4 min");
  screen.stop();
});

test("only a commander, or the inspector of its BCU, may acknowledge an alert", () => {
  const page = elements("kpis", "at-risk", "alerts", ["bcu-table", "table"], "wall");
  filled();
  const mine = wall(page.wall, { role: "inspector", bcu: "AW", user: "insp" });
  assert.equal(page.alerts.querySelectorAll("button[data-ack]").length, 1);
  mine.stop();
  const other = wall(page.wall, { role: "inspector", bcu: "CN", user: "insp2" });
  assert.equal(page.alerts.querySelectorAll("button[data-ack]").length, 0);
  other.stop();
});

test("demand against the usual: a surge gets an arrow; the caption says where usual comes from", async () => {
  answering((method, path) => (path === "/api/demand/usual"
    ? { status: 200, body: { source: "log", weeks: 4, bcus: { AW: { now: 2, usual: 2 }, CN: { now: 7, usual: 2.5 } } } }
    : { status: 404, body: {} }));
  const page = elements("kpis", "at-risk", "alerts", ["bcu-table", "table"], ["moves", "ul"], "wall");
  filled();
  const screen = wall(page.wall, { role: "commander", user: "cmd" });
  await settle();
  const cells = [...page["bcu-table"].querySelectorAll("td.bl-demand")];
  assert.deepEqual(cells.map((c) => c.textContent), ["2 / 2.0", "▲ 7 / 2.5"]);
  assert.deepEqual(cells.map((c) => c.classList.contains("bl-hot")), [false, true]);
  assert.equal(page["bcu-table"].querySelector("caption").textContent, "usual: from 4 weeks of log");
  screen.stop();
});

test("a refused acknowledgement says why beside the alert, and the button comes back", async () => {
  answering((method, path) => (path === "/api/alerts/acknowledgement"
    ? { status: 403, body: { detail: "not your BCU" } } : { status: 404, body: {} }));
  const page = elements("kpis", "at-risk", "alerts", ["bcu-table", "table"], ["moves", "ul"], "wall");
  filled();
  const screen = wall(page.wall, { role: "commander", user: "cmd" });
  const button = page.alerts.querySelector("button[data-ack]");
  page.wall.appendChild(page.alerts);  // the lists are inside the wall's root
  dispatch(button, "click");
  await settle();
  assert.equal(page.alerts.querySelector(".bl-fail").textContent, "✗ 403: not your BCU");
  assert.equal(page.alerts.querySelector("button[data-ack]").disabled, false);
  screen.stop();
});
