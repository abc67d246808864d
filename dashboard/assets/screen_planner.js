// The planner: reports for a period, drawn with plotly, with CSV, XLSX and PDF links.
(function () {
  "use strict";
  var B = window.bluelamp;
  var ui = B.ui;
  var session = B.session;
  var el = ui.el, escape = ui.escape;

  var REPORT_NAMES = ["demand", "response", "resources"];
  var FORMATS = { csv: true, xlsx: true, pdf: true, geojson: true, gpkg: true };

  // Native date pickers in the slots dashboard/planner.py leaves for them.
  function picker(id, value) {
    var slot = el(id + "-field");
    var input = el(id);
    if (!input) {
      input = document.createElement("input");
      input.type = "date";
      input.id = id;
      input.required = true;
      slot.appendChild(input);
    }
    input.value = value;
    return input;
  }

  function planner(root, me) {
    var day = function (d) { return d.toLocaleDateString("en-CA", { timeZone: "Europe/London" }); };
    var today = new Date();
    var from = picker("report-from", day(new Date(today.getTime() - 6 * 86400000)));
    var to = picker("report-to", day(today));
    if (me.role !== "planner" && me.role !== "commander") {
      el("report-status").textContent = "Reports are for planners and commanders.";
      return { root: root, stop: function () {} };
    }
    var asked = 0;  // only the latest request may draw: an older answer is stale
    function show() {
      var mine = ++asked;
      // A date picker with a part-typed day has the value "" (the browser's own check).
      if (!from.value || !to.value) {
        clearAll("✗ Choose a whole day for both From and To.");
        return;
      }
      el("report-status").textContent = "Making the reports…";
      var query = "from=" + encodeURIComponent(from.value) + "&to=" + encodeURIComponent(to.value);
      Promise.all(REPORT_NAMES.map(function (name) {
        return session.request("GET", "/api/reports/" + name + "?" + query + "&format=json");
      })).then(function (answers) {
        if (mine !== asked) { return; }
        var failed = answers.find(function (a) { return a.status !== 200; });
        if (failed) {
          var reason = (failed.body && failed.body.detail) || "the server answered " + failed.status;
          clearAll("✗ " + failed.status + ": " + (typeof reason === "string" ? reason : JSON.stringify(reason)));
          return;
        }
        answers.forEach(function (answer, i) {
          links(REPORT_NAMES[i], query);
          drawReport(REPORT_NAMES[i], answer.body);
        });
        el("report-status").textContent = "For " + from.value + " to " + to.value + " (London time).";
      }, function (error) {
        if (mine === asked) { clearAll("✗ " + error.message); }
      });
    }
    function onClick(event) { if (event.target && event.target.id === "report-show") { show(); } }
    function onKey(event) { if (event.key === "Enter" && (event.target === from || event.target === to)) { show(); } }
    root.addEventListener("click", onClick);
    root.addEventListener("keydown", onKey);
    setTimeout(show, 0);
    return { root: root, stop: function () {
      root.removeEventListener("click", onClick);
      root.removeEventListener("keydown", onKey);
    } };
  }

  function links(name, query) {
    document.querySelectorAll("#report-" + name + " a[data-format]").forEach(function (a) {
      if (FORMATS[a.dataset.format]) {
        a.href = (a.dataset.path || "/api/reports/" + name) + "?" + query + "&format=" + a.dataset.format;
        a.removeAttribute("aria-disabled");
      }
    });
  }

  // No figure, table or export link of another period may stay on screen.
  function clearAll(reason) {
    el("report-status").textContent = reason;
    REPORT_NAMES.forEach(function (name) {
      document.querySelectorAll("#report-" + name + " a[data-format]").forEach(function (a) {
        a.removeAttribute("href");
        a.setAttribute("aria-disabled", "true");
      });
      dash_clientside.set_props("report-" + name + "-chart", { figure: { data: [], layout: layout("") } });
      el("report-" + name + "-table").innerHTML = "";
      el("report-" + name + "-defs").innerHTML = "";
    });
  }

  function layout(title) {
    // One object per axis: plotly writes into them (an axis's type), so they must not be shared.
    var axis = function () { return { gridcolor: "#233140", zerolinecolor: "#3b4d61" }; };
    return { title: { text: title }, font: { color: "#e6edf3" },
      paper_bgcolor: "#0d141c", plot_bgcolor: "#0d141c", xaxis: axis(), yaxis: axis(),
      legend: { orientation: "h" }, margin: { l: 60, r: 10, t: 40, b: 50 } };
  }

  function drawReport(name, report) {
    var charted = report.tables.find(function (t) { return t.chart; }) || report.tables[0];
    var figure = { data: [], layout: layout(charted.title) };
    var column = function (t, n) { var i = t.columns.indexOf(n); return t.rows.map(function (r) { return r[i]; }); };
    if (charted.chart === "heatmap") {
      var x = charted.columns.slice(1);
      figure.data.push({ type: "heatmap", x: x, y: column(charted, charted.chart_x),
        z: charted.rows.map(function (r) { return r.slice(1); }), colorscale: "Reds" });
    } else if (charted.chart_data) {
      // The server's series, as the PDF and XLSX draw them: side by side, never stacked
      // (a share per grade added up would reach 200%).
      var drawn = charted.chart_data;
      figure.layout.barmode = "group";
      figure.layout.xaxis.title = { text: drawn.x_title };
      figure.layout.xaxis.type = "category";
      figure.layout.yaxis.title = { text: drawn.y_title };
      drawn.series.forEach(function (one) {
        figure.data.push({ type: charted.chart === "bar" ? "bar" : "scatter", name: one.name,
          x: drawn.x, y: one.y });
      });
    }
    dash_clientside.set_props("report-" + name + "-chart", { figure: figure });
    var shown = report.tables.map(function (t) {
      var coded = t.columns.map(function (c) { return (t.coded || []).indexOf(c) >= 0; });
      var cell = function (v, i) {
        var words = v === null ? "" : (coded[i] && typeof v === "string" ? v.replace(/_/g, " ") : v);
        return "<td>" + escape(words) + "</td>";
      };
      var rows = t.rows.slice(0, 12).map(function (r) { return "<tr>" + r.map(cell).join("") + "</tr>"; }).join("");
      return "<h3>" + escape(t.title) + " <small>" + t.rows.length + " rows</small></h3><table><thead><tr>" +
        (t.headers || t.columns).map(function (c) { return "<th>" + escape(c) + "</th>"; }).join("") + "</tr></thead><tbody>" + rows + "</tbody></table>";
    }).join("");
    el("report-" + name + "-table").innerHTML = (report.notes || []).map(function (n) { return "<p class='bl-muted'>" + escape(n) + "</p>"; }).join("") + shown;
    el("report-" + name + "-defs").innerHTML = report.definitions.map(function (d) { return "<li>" + escape(d) + "</li>"; }).join("");
  }

  B.screens.planner = planner;
})();
