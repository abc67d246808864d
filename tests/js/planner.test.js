// The planner (dashboard/assets/js/planner.js): a period's reports drawn as figures and
// tables, export links for that period only, and nothing of another period left on screen.
import { answering, at, dispatch, elements, settle, timers } from "./page.js";
import test from "node:test";
import assert from "node:assert/strict";
import { figureOf, layout, planner, tablesOf } from "../../dashboard/assets/js/planner.js";

const HEATMAP = { title: "Demand by hour", chart: "heatmap", chart_x: "day", columns: ["day", "00", "01"], rows: [["Mon", 1, 2], ["Tue", 3, 4]] };
const BARS = {
  title: "Response times", chart: "bar", columns: ["grade", "share"], rows: [["I", 0.9]],
  chart_data: { x: ["I", "S"], x_title: "Grade", y_title: "Share", series: [{ name: "met", y: [0.9, 0.8] }, { name: "missed", y: [0.1, 0.2] }] },
};
const report = (table, extra) => ({ tables: [table], definitions: ["<b>I</b>: immediate"], ...extra });

test("a heatmap report: days down, hours across, the counts as z", () => {
  const figure = figureOf(report(HEATMAP));
  assert.deepEqual(figure.data, [{ type: "heatmap", x: ["00", "01"], y: ["Mon", "Tue"], z: [[1, 2], [3, 4]], colorscale: "Reds" }]);
  assert.equal(figure.layout.title.text, "Demand by hour");
});

test("series side by side, never stacked, on a category axis", () => {
  const figure = figureOf(report(BARS));
  assert.equal(figure.layout.barmode, "group");
  assert.equal(figure.layout.xaxis.type, "category");
  assert.equal(figure.layout.xaxis.title.text, "Grade");
  assert.deepEqual(figure.data.map((d) => [d.type, d.name, d.y]), [["bar", "met", [0.9, 0.8]], ["bar", "missed", [0.1, 0.2]]]);
  const lines = figureOf(report({ ...BARS, chart: "line" }));
  assert.deepEqual(lines.data.map((d) => d.type), ["scatter", "scatter"]);
});

test("each axis is its own object: plotly writes into them", () => {
  const one = layout("a");
  assert.notEqual(one.xaxis, one.yaxis);
  assert.notEqual(layout("b").xaxis, one.xaxis);
});

test("tables: notes, a title with the row count, coded values in words, at most 12 rows, as text", () => {
  const rows = Array.from({ length: 15 }, (_, i) => ["road_traffic", "<i>" + i + "</i>", null]);
  const table = { title: "By category", columns: ["category", "note", "n"], headers: ["Category", "Note", "N"], coded: ["category"], rows };
  const { box } = elements("box");
  box.append(...tablesOf({ tables: [table], notes: ["Counts are <b>open</b> incidents"] }));
  assert.equal(box.querySelector("p").textContent, "Counts are <b>open</b> incidents");
  assert.equal(box.querySelector("h3").textContent, "By category 15 rows");
  assert.deepEqual([...box.querySelectorAll("th")].map((th) => th.textContent), ["Category", "Note", "N"]);
  const body = [...box.querySelectorAll("tbody tr")];
  assert.equal(body.length, 12);
  assert.deepEqual([...body[0].children].map((td) => td.textContent), ["road traffic", "<i>0</i>", ""]);
  assert.equal(box.querySelector("i"), null);
});

test("a late arrival's first cell links to its replay; a row with no place stays text", () => {
  const links = ["/inspector?bcu=NE&incident=C1&replay=a/b", null];
  const table = { title: "Late arrivals", columns: ["incident", "grade"], headers: ["Incident", "Grade"], coded: [], rows: [["CAD 1", "I"], ["C2", "S"]], links };
  const { box } = elements("box");
  box.append(...tablesOf({ tables: [table] }));
  const [first, second] = [...box.querySelectorAll("tbody tr")];
  assert.equal(first.querySelector("a").getAttribute("href"), links[0]);
  assert.equal(first.querySelector("a").textContent, "CAD 1");
  assert.equal(second.querySelector("a"), null);
  assert.equal(second.children[0].textContent, "C2");
});

function plannerPage() {
  at("/planner");
  const ids = ["planner", "report-status", "report-from-field", "report-to-field"];
  for (const name of ["demand", "response", "resources"]) { ids.push("report-" + name, "report-" + name + "-table", ["report-" + name + "-defs", "ul"]); }
  const page = elements(...ids);
  for (const name of ["demand", "response", "resources"]) {
    const link = document.createElement("a");
    link.dataset.format = "csv";
    link.setAttribute("aria-disabled", "true");
    page["report-" + name].appendChild(link);
  }
  const figures = {};
  globalThis.dash_clientside = { set_props: (id, props) => { figures[id] = props.figure; } };
  return { page, figures };
}

test("reports for the period chosen: figures, tables, definitions and export links for it", async () => {
  const asked = answering(() => ({ status: 200, body: report(HEATMAP) }));
  const { page, figures } = plannerPage();
  const screen = planner(page.planner, { role: "planner" });
  document.getElementById("report-from").value = "2026-11-01";
  document.getElementById("report-to").value = "2026-11-07";
  timers.splice(0).forEach((t) => t.fn());  // the first show, once mounted
  await settle();
  assert.deepEqual(asked.map((a) => a[1]), ["demand", "response", "resources", "advice"].map((n) => "/api/reports/" + n + "?from=2026-11-01&to=2026-11-07&format=json"));
  assert.equal(page["report-status"].textContent, "For 2026-11-01 to 2026-11-07 (London time).");
  assert.equal(figures["report-demand-chart"].data[0].type, "heatmap");
  assert.equal(page["report-demand-defs"].textContent, "<b>I</b>: immediate");
  const link = page["report-response"].querySelector("a");
  assert.equal(link.getAttribute("href"), "/api/reports/response?from=2026-11-01&to=2026-11-07&format=csv");
  assert.equal(link.hasAttribute("aria-disabled"), false);
  screen.stop();
});

test("a refused period clears every figure, table and link, and says why", async () => {
  answering(() => ({ status: 422, body: { detail: "from is after to" } }));
  const { page, figures } = plannerPage();
  const screen = planner(page.planner, { role: "commander" });
  page["report-demand-table"].append("last period's table");
  page.planner.appendChild(document.createElement("button")).id = "report-show";
  dispatch(document.getElementById("report-show"), "click");
  await settle();
  assert.equal(page["report-status"].textContent, "✗ 422: from is after to");
  assert.equal(page["report-demand-table"].textContent, "");
  assert.deepEqual(figures["report-demand-chart"].data, []);
  assert.equal(page["report-demand"].querySelector("a").hasAttribute("href"), false);
  assert.equal(page["report-demand"].querySelector("a").getAttribute("aria-disabled"), "true");
  screen.stop();
});

test("reports are for planners and commanders", () => {
  const asked = answering(() => ({ status: 200, body: report(HEATMAP) }));
  const { page } = plannerPage();
  planner(page.planner, { role: "inspector" });
  assert.equal(page["report-status"].textContent, "Reports are for planners and commanders.");
  assert.deepEqual(asked, []);
});
