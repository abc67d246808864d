// The wall: KPIs, incidents at risk, alerts, per-BCU demand and capacity, the live map.
(function () {
  "use strict";
  var B = window.bluelamp, ui = B.ui, live = B.live, session = B.session;
  var el = ui.el, escape = ui.escape, countdown = ui.countdown, minutes = ui.minutes, now = ui.now, findMap = ui.findMap, clock = ui.clock;

  function wall(root, me) {
    var params = new URLSearchParams(window.location.search);
    var layers = null;
    var unsubscribe = live.onChange(render);
    var timers = [];
    findMap("map").then(function (map) {
      layers = new B.LiveLayers(map, { summaries: params.get("privacy") === "off" });
      layers.apply({ reset: true });
      var every = parseFloat(params.get("cycle"));
      if (every > 0) { timers.push(cycle(map, every)); }
    });
    timers.push(setInterval(function () { renderLists(); }, 5000));  // ages and countdowns

    // Markers follow every frame; the text around them at most four times a second (a
    // wall is read from metres away, and each rebuild costs layout on every screen).
    var textDue = 0;
    function render(change) {
      if (layers) { layers.apply(change); }
      var t = performance.now();
      if (change.reset || change.advice || t >= textDue) {
        textDue = t + 250;
        renderKpis();
        renderLists();
      } else if (!textTimer) {
        textTimer = setTimeout(function () { textTimer = null; textDue = 0; renderKpis(); renderLists(); }, textDue - t);
      }
    }
    var textTimer = null;

    function renderKpis() {
      var k = live.kpis;
      if (!k) { return; }
      var share = k.i_within_target_last_hour;
      // What needs a decision first: incidents nobody is on the way to.
      var tiles = [
        ["Awaiting a unit", k.awaiting_unit, k.awaiting_unit > 0 ? "bl-hot" : ""],
        ["Open I", k.open_i, k.open_i > 0 ? "bl-warm" : ""],
        ["Open S", k.open_s, ""],
        ["I within 15 min (last hour)", share === null || share === undefined ? "–" : Math.round(share * 100) + "%", share !== null && share < 0.9 ? "bl-warm" : ""],
        ["Units available", k.available_units + " / " + k.on_duty_units, ""],
      ];
      el("kpis").innerHTML = tiles.map(function (t) {
        return "<div class='bl-kpi " + t[2] + "' data-kpi='" + escape(t[0]) + "'><span class='bl-kpi-value'>" + escape(t[1]) + "</span><span class='bl-kpi-label'>" + escape(t[0]) + "</span></div>";
      }).join("");
    }

    function renderLists() {
      var advice = live.advice;
      if (advice) {
        var byId = {};
        advice.waiting.forEach(function (w) { byId[w.incident_id] = w; });
        var elapsed = advice.as_of ? (now() - Date.parse(advice.as_of)) / 1000 : 0;
        var risk = advice.at_risk.filter(function (id) { return live.incidents.has(id) && live.incidents.get(id).status === "open"; }).slice(0, 8);
        el("at-risk").innerHTML = risk.length ? risk.map(function (id) {
          var w = byId[id], best = w.nearest[0];
          return "<li class='bl-grade-" + w.grade + "'><b>" + w.grade + "</b> " + escape(w.bcu) + " · " + (w.reference ? escape(w.reference) + " · " : "") + escape(ui.words("category", w.category)) +
            " · " + countdown(w.seconds_left - elapsed) + " · " +
            (best ? escape(best.callsign) + " " + minutes(best.eta_s) : "no unit available") + "</li>";
        }).join("") : "<li class='bl-muted'>None</li>";
        // Mutual aid requests wait for a commander's decision: listed first.
        var aid = (advice.mutual_aid || []).map(function (a) {
          return "<li class='bl-aid-alert'>Mutual aid asked: " + escape(a.callsign) + " (" + escape(a.from_bcu) + ") for " + escape(a.grade) + " · " + escape(ui.words("category", a.category)) + " in " + escape(a.to_bcu) + ", by " + escape(a.by) + "</li>";
        });
        setHtml(el("alerts"), alertItems(advice, aid));
      }
      var rows = Object.keys(live.bcus || {}).sort().map(function (code) {
        var c = live.bcus[code];
        var hot = c.load > 1 ? " class='bl-hot'" : c.load > 0.5 ? " class='bl-warm'" : "";
        return "<tr" + hot + " data-bcu='" + escape(code) + "'><th>" + code + "</th><td>" + c.open_by_grade.I + "</td><td>" + c.open_by_grade.S + "</td><td>" + c.available + " / " + c.capacity + "</td><td>" + c.load.toFixed(2) + "</td>" + demandCell(code) + "</tr>";
      });
      el("bcu-table").innerHTML = "<caption>" + escape(usualSource()) + "</caption><thead><tr><th>BCU</th><th>Open I</th><th>Open S</th><th>Available</th><th>Load</th><th>Last hour / usual</th></tr></thead><tbody>" + rows.join("") + "</tbody>";
    }

    // Demand now against the usual for this hour (GET /api/demand/usual): asked for once a
    // minute, since "usual" changes by the hour and "now" is a count of a whole hour.
    var usual = null;
    function loadUsual() {
      session.request("GET", "/api/demand/usual").then(function (answer) {
        if (answer.status !== 200) { return; }
        usual = answer.body;
        renderLists();
      });
    }
    loadUsual();
    timers.push(setInterval(loadUsual, 60000));
    function usualSource() {
      if (!usual) { return "usual: …"; }
      return usual.source === "log" ? "usual: from " + usual.weeks + " weeks of log" : "usual: calibration";
    }
    function demandCell(code) {
      var d = usual && usual.bcus[code];
      if (!d) { return "<td class='bl-demand'>–</td>"; }
      var usualText = d.usual.toFixed(1);
      // Above half again the usual reads as a surge: an arrow as well as the colour.
      var high = d.now > Math.max(1, d.usual * 1.5);
      return "<td class='bl-demand" + (high ? " bl-hot" : "") + "' data-now='" + d.now + "' data-usual='" + usualText + "'>" +
        (high ? "▲ " : "") + d.now + " / " + usualText + "</td>";
    }

    // Alerts nobody has taken yet, each with Acknowledge for those who may (commanders; an
    // inspector for their BCU; the server decides anyway); then those in hand, who and when.
    var ackFailed = {};  // alert key -> why the last acknowledgement was refused
    function mayAcknowledge(alert) {
      return me.role === "commander" || (me.role === "inspector" && alert.bcu === me.bcu);
    }
    function alertItems(advice, aid) {
      var active = advice.alerts.slice(0, 8).map(function (a) {
        var button = mayAcknowledge(a) ? " <button class='bl-button bl-ack' data-ack='" + escape(a.key) + "'>Acknowledge</button>" : "";
        var failed = ackFailed[a.key] ? " <span class='bl-fail'>✗ " + escape(ackFailed[a.key]) + "</span>" : "";
        return "<li data-alert='" + escape(a.key) + "'>" + escape(a.text) + button + failed + "</li>";
      });
      var seen = (advice.acknowledged || []).slice(0, 8).map(function (a) {
        return "<li class='bl-muted bl-acknowledged' data-alert='" + escape(a.key) + "'>✓ " + escape(a.text) +
          " · acknowledged by " + escape(a.acknowledged_by) + " at " + clock(a.acknowledged_at) + "</li>";
      });
      var items = aid.concat(active, seen);
      return items.length ? items.join("") : "<li class='bl-muted'>None</li>";
    }
    // Only when it changed: a list rebuilt under the pointer would swallow a click.
    function setHtml(element, html) {
      if (element && element.dataset.html !== html) { element.innerHTML = html; element.dataset.html = html; }
    }
    function onAlertClick(event) {
      var button = event.target.closest("button[data-ack]");
      if (!button) { return; }
      var key = button.dataset.ack;
      button.disabled = true;
      session.request("POST", "/api/alerts/acknowledgement", { key: key }).then(function (answer) {
        if (answer.status === 200) { delete ackFailed[key]; } else { ackFailed[key] = answer.status + ": " + (answer.body.detail || "failed"); button.disabled = false; }
        renderLists();
      });
    }
    root.addEventListener("click", onAlertClick);

    // The first paint comes last, once every var above holds its value: painted earlier, a
    // store already filled (a commander coming from another screen) met ackFailed undefined.
    render({ reset: true, incidents: new Set(), units: new Set(), advice: true });

    return {
      root: root,
      stop: function () {
        unsubscribe();
        timers.forEach(clearInterval);
        if (textTimer) { clearTimeout(textTimer); }
        root.removeEventListener("click", onAlertClick);
      },
    };
  }

  // Visit each BCU in turn (a wall with nobody at it), then all of London.
  function cycle(map, seconds) {
    var outlines = [];
    map.eachLayer(function (layer) {
      if (layer.feature && layer.feature.properties && layer.feature.properties.code && layer.getBounds) { outlines.push(layer); }
    });
    outlines.sort(function (a, b) { return a.feature.properties.code < b.feature.properties.code ? -1 : 1; });
    var i = 0;
    return setInterval(function () {
      if (i === outlines.length) { map.fitBounds(L.featureGroup(outlines).getBounds()); i = 0; return; }
      map.fitBounds(outlines[i++].getBounds(), { padding: [20, 20] });
    }, seconds * 1000);
  }

  B.screens.wall = wall;
})();
