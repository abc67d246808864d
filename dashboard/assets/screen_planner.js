// The planner: reports for a period, drawn with plotly, with CSV, XLSX and PDF links.
(function () {
  "use strict";
  var B = window.bluelamp;
  var ui = B.ui;
  var live = B.live;
  var session = B.session;
  var el = ui.el, text = ui.text, escape = ui.escape;

  var REPORT_NAMES = ["demand", "response", "resources"];

  function planner(root, me) {
    var day = function (d) { return d.toLocaleDateString("en-CA", { timeZone: "Europe/London" }); };
    var today = new Date();
    var weekAgo = new Date(today.getTime() - 6 * 86400000);
    dash_clientside.set_props("report-from", { value: day(weekAgo) });
    dash_clientside.set_props("report-to", { value: day(today) });
    if (me.role !== "planner" && me.role !== "commander") {
      el("report-status").textContent = "Reports are for planners and commanders.";
      return { root: root, stop: function () {} };
    }
    function show() {
      // The inputs may not show the defaults yet (Dash renders set_props a moment later).
      var from = el("report-from").value || day(weekAgo), to = el("report-to").value || day(today);
      el("report-status").textContent = "Making the reports…";
      var query = "from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to);
      Promise.all(REPORT_NAMES.map(function (name) {
        document.querySelectorAll("#report-" + name + " a[data-format]").forEach(function (a) {
          a.href = "/api/reports/" + name + "?" + query + "&format=" + a.dataset.format;
        });
        return session.request("GET", "/api/reports/" + name + "?" + query + "&format=json").then(function (answer) {
          if (answer.status !== 200) { throw new Error(answer.body.detail || answer.status); }
          drawReport(name, answer.body);
        });
      })).then(function () {
        el("report-status").textContent = "For " + from + " to " + to + " (London time).";
      }, function (error) { el("report-status").textContent = "✗ " + error.message; });
    }
    function onClick(event) { if (event.target && event.target.id === "report-show") { show(); } }
    root.addEventListener("click", onClick);
    setTimeout(show, 0);
    return { root: root, stop: function () { root.removeEventListener("click", onClick); } };
  }

  function drawReport(name, report) {
    var charted = report.tables.find(function (t) { return t.chart; }) || report.tables[0];
    // One object per axis: plotly writes into them (an axis's type), so they must not be shared.
    var axis = function () { return { gridcolor: "#233140", zerolinecolor: "#3b4d61" }; };
    var figure = { data: [], layout: { title: { text: charted.title }, font: { color: "#e6edf3" },
      paper_bgcolor: "#0d141c", plot_bgcolor: "#0d141c", xaxis: axis(), yaxis: axis(),
      legend: { orientation: "h" }, margin: { l: 50, r: 10, t: 40, b: 40 } } };
    var column = function (t, n) { var i = t.columns.indexOf(n); return t.rows.map(function (r) { return r[i]; }); };
    if (charted.chart === "heatmap") {
      var x = charted.columns.slice(1);
      figure.data.push({ type: "heatmap", x: x, y: column(charted, charted.chart_x),
        z: charted.rows.map(function (r) { return r.slice(1); }), colorscale: "Reds" });
    } else if (charted.chart) {
      charted.chart_y.forEach(function (y) {
        if (charted.columns.indexOf(y) < 0) { return; }
        figure.data.push({ type: charted.chart === "bar" ? "bar" : "scatter", name: y,
          x: column(charted, charted.chart_x), y: column(charted, y) });
      });
    }
    dash_clientside.set_props("report-" + name + "-chart", { figure: figure });
    var shown = report.tables.map(function (t) {
      var rows = t.rows.slice(0, 12).map(function (r) {
        return "<tr>" + r.map(function (v) { return "<td>" + escape(v === null ? "" : v) + "</td>"; }).join("") + "</tr>";
      }).join("");
      return "<h3>" + escape(t.title) + " <small>" + t.rows.length + " rows</small></h3><table><thead><tr>" +
        t.columns.map(function (c) { return "<th>" + escape(c) + "</th>"; }).join("") + "</tr></thead><tbody>" + rows + "</tbody></table>";
    }).join("");
    el("report-" + name + "-table").innerHTML = (report.notes || []).map(function (n) { return "<p class='bl-muted'>" + escape(n) + "</p>"; }).join("") + shown;
    el("report-" + name + "-defs").innerHTML = report.definitions.map(function (d) { return "<li>" + escape(d) + "</li>"; }).join("");
  }

  B.screens.planner = planner;
})();
