// The planner: reports for a period, drawn with plotly (through Dash's set_props), tables
// and definitions beside them, and CSV, XLSX, PDF and map export links.
import { byId, fill, h } from "./dom.js";
import { request } from "./session.js";

const REPORT_NAMES = ["demand", "response", "resources", "advice"];
const FORMATS = { csv: true, xlsx: true, pdf: true, geojson: true, gpkg: true };

// Native date pickers in the slots dashboard/planner.py leaves for them.
function picker(id, value) {
  let input = byId(id);
  if (!input) {
    input = h("input", { type: "date", id, required: true });
    byId(id + "-field").appendChild(input);
  }
  input.value = value;
  return input;
}

function setLinks(name, query) {
  document.querySelectorAll("#report-" + name + " a[data-format]").forEach((a) => {
    if (FORMATS[a.dataset.format]) {
      a.href = (a.dataset.path || "/api/reports/" + name) + "?" + query + "&format=" + a.dataset.format;
      a.removeAttribute("aria-disabled");
    }
  });
}

export function layout(title) {
  // One object per axis: plotly writes into them (an axis's type), so they must not be shared.
  const axis = () => ({ gridcolor: "#233140", zerolinecolor: "#3b4d61" });
  return { title: { text: title }, font: { color: "#e6edf3" },
    paper_bgcolor: "#0d141c", plot_bgcolor: "#0d141c", xaxis: axis(), yaxis: axis(),
    legend: { orientation: "h" }, margin: { l: 60, r: 10, t: 40, b: 50 } };
}

// No figure, table or export link of another period may stay on screen.
function clearAll(reason) {
  byId("report-status").textContent = reason;
  REPORT_NAMES.forEach((name) => {
    document.querySelectorAll("#report-" + name + " a[data-format]").forEach((a) => {
      a.removeAttribute("href");
      a.setAttribute("aria-disabled", "true");
    });
    dash_clientside.set_props("report-" + name + "-chart", { figure: { data: [], layout: layout("") } });
    fill(byId("report-" + name + "-table"));
    fill(byId("report-" + name + "-defs"));
  });
}

// The figure for a report: its charted table (the first with a chart, else the first).
export function figureOf(report) {
  const charted = report.tables.find((t) => t.chart) || report.tables[0];
  const figure = { data: [], layout: layout(charted.title) };
  const column = (t, n) => { const i = t.columns.indexOf(n); return t.rows.map((r) => r[i]); };
  if (charted.chart === "heatmap") {
    figure.data.push({ type: "heatmap", x: charted.columns.slice(1), y: column(charted, charted.chart_x),
      z: charted.rows.map((r) => r.slice(1)), colorscale: "Reds" });
  } else if (charted.chart_data) {
    // The server's series, as the PDF and XLSX draw them: side by side, never stacked
    // (a share per grade added up would reach 200%).
    const drawn = charted.chart_data;
    figure.layout.barmode = "group";
    figure.layout.xaxis.title = { text: drawn.x_title };
    figure.layout.xaxis.type = "category";
    figure.layout.yaxis.title = { text: drawn.y_title };
    drawn.series.forEach((one) => {
      figure.data.push({ type: charted.chart === "bar" ? "bar" : "scatter", name: one.name, x: drawn.x, y: one.y });
    });
  }
  return figure;
}

// A report's notes and tables (the first 12 rows of each), coded values in words.
export function tablesOf(report) {
  const notes = (report.notes || []).map((n) => h("p", { class: "bl-muted" }, n));
  const tables = report.tables.map((t) => {
    const coded = t.columns.map((c) => (t.coded || []).indexOf(c) >= 0);
    const shown = (v, i) => (v === null ? "" : (coded[i] && typeof v === "string" ? v.replace(/_/g, " ") : v));
    // A row with a place on the screens (a late arrival's replay) links its first cell there.
    const row = (r, n) => h("tr", {}, r.map((v, i) => h("td", {}, i === 0 && t.links && t.links[n]
      ? h("a", { href: t.links[n], class: "bl-replay-link", title: "Replay on the inspector's desk, from creation to arrival" }, shown(v, i))
      : shown(v, i))));
    return [
      h("h3", {}, t.title, " ", h("small", {}, t.rows.length + " rows")),
      h("table", {}, h("thead", {}, h("tr", {}, (t.headers || t.columns).map((c) => h("th", {}, c)))),
        h("tbody", {}, t.rows.slice(0, 12).map(row))),
    ];
  });
  return notes.concat(tables.flat());
}

function drawReport(name, report) {
  dash_clientside.set_props("report-" + name + "-chart", { figure: figureOf(report) });
  fill(byId("report-" + name + "-table"), tablesOf(report));
  fill(byId("report-" + name + "-defs"), report.definitions.map((d) => h("li", {}, d)));
}

export function planner(root, me) {
  const day = (d) => d.toLocaleDateString("en-CA", { timeZone: "Europe/London" });
  const today = new Date();
  const from = picker("report-from", day(new Date(today.getTime() - 6 * 86400000)));
  const to = picker("report-to", day(today));
  if (me.role !== "planner" && me.role !== "commander") {
    byId("report-status").textContent = "Reports are for planners and commanders.";
    return { root, stop() {} };
  }
  let asked = 0;  // only the latest request may draw: an older answer is stale
  function show() {
    const mine = ++asked;
    // A date picker with a part-typed day has the value "" (the browser's own check).
    if (!from.value || !to.value) {
      clearAll("✗ Choose a whole day for both From and To.");
      return;
    }
    byId("report-status").textContent = "Making the reports…";
    const query = "from=" + encodeURIComponent(from.value) + "&to=" + encodeURIComponent(to.value);
    Promise.all(REPORT_NAMES.map((name) => request("GET", "/api/reports/" + name + "?" + query + "&format=json"))).then((answers) => {
      if (mine !== asked) { return; }
      const failed = answers.find((a) => a.status !== 200);
      if (failed) {
        const reason = (failed.body && failed.body.detail) || "the server answered " + failed.status;
        clearAll("✗ " + failed.status + ": " + (typeof reason === "string" ? reason : JSON.stringify(reason)));
        return;
      }
      answers.forEach((answer, i) => {
        setLinks(REPORT_NAMES[i], query);
        drawReport(REPORT_NAMES[i], answer.body);
      });
      byId("report-status").textContent = "For " + from.value + " to " + to.value + " (London time).";
    }, (error) => {
      if (mine === asked) { clearAll("✗ " + error.message); }
    });
  }
  function onClick(event) { if (event.target && event.target.id === "report-show") { show(); } }
  function onKey(event) { if (event.key === "Enter" && (event.target === from || event.target === to)) { show(); } }
  root.addEventListener("click", onClick);
  root.addEventListener("keydown", onKey);
  setTimeout(show, 0);
  return { root, stop() {
    root.removeEventListener("click", onClick);
    root.removeEventListener("keydown", onKey);
  } };
}
