// The screens: sign-in, the wall, the inspector's desk. Each is filled and kept current
// here from bluelamp.live (assets/live.js); the layouts come from Dash (dashboard/*.py),
// whose component ids these are:
//   header: user, sign-out, freshness, feed-banner · sign-in: signin-form, signin-user,
//   signin-password, signin-error · wall: kpis, at-risk, alerts, bcu-table, map ·
//   inspector: inspector-bcu, queue, units, inspector-map, detail, actions, result.
// Live layers (demand heat by hex, incidents, units) are added to the Leaflet maps Dash
// mounted and updated marker by marker: nothing is re-rendered by React per event.
(function () {
  "use strict";
  var B = (window.bluelamp = Object.assign({}, window.bluelamp));
  var live = B.live;
  var session = B.session;

  var GRADE_STYLE = {
    I: { radius: 10, fillColor: "#ff453a", color: "#ffffff", weight: 2.5, fillOpacity: 0.95 },
    S: { radius: 7, fillColor: "#ff9f0a", color: "#1c1c1e", weight: 1.5, fillOpacity: 0.9 },
    E: { radius: 5, fillColor: "#a1a1aa", color: "#1c1c1e", weight: 1, fillOpacity: 0.8 },
    R: { radius: 4, fillColor: "#71717a", color: "#1c1c1e", weight: 1, fillOpacity: 0.7 },
  };
  var UNIT_COLOUR = {
    available: "#32d74b", en_route: "#0a84ff", on_scene: "#bf5af2", busy: "#ffd60a",
  };
  var GRADE_ORDER = { I: 0, S: 1, E: 2, R: 3 };
  var LIVE_GRADES = { I: true, S: true };

  function el(id) { return document.getElementById(id); }
  function text(value) { return value === null || value === undefined ? "" : String(value); }
  function escape(value) {
    return text(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function mmss(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) { return ""; }
    var sign = seconds < 0 ? "−" : "";
    var s = Math.abs(Math.round(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return sign + (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(r).padStart(2, "0");
  }
  function countdown(seconds) {
    return seconds < 0
      ? "<span class='bl-num bl-hot'>" + mmss(-seconds) + " overdue</span>"
      : "<span class='bl-num'>" + mmss(seconds) + "</span> left";
  }
  function minutes(seconds) { return Math.max(1, Math.round(seconds / 60)) + " min"; }
  // Event time, not this browser's clock: in a replay or a simulation they differ.
  function now() { return live.lastEventTime ? Date.parse(live.lastEventTime) : Date.now(); }
  var TIME = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  function clock(iso) { return iso ? TIME.format(new Date(iso)) : ""; }

  // For the AG Grid column definitions (dashboard/inspector.py): dash-ag-grid looks up
  // {"function": "..."} names in window.dashAgGridFunctions.
  var grid = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  // "To target" of an incident already attended sorts last: a large number shown as blank.
  var NO_TARGET = 1e12;
  grid.mmss = function (value) { return value >= NO_TARGET ? "" : mmss(value); };

  // -- live layers on every Leaflet map --------------------------------------------------

  var hexGeometry = null;  // /api/geo/hexes, fetched once per page load
  function hexes() {
    if (!hexGeometry) {
      hexGeometry = session.request("GET", "/api/geo/hexes").then(function (a) { return a.body; });
    }
    return hexGeometry;
  }

  B.layers = {};  // by map id, for tests and benchmarks that look at what is drawn

  function canvasPane(map, name, zIndex) {
    var pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = zIndex;
    return L.canvas({ pane: name });
  }

  function LiveLayers(map, options) {
    B.layers[map.getContainer().id] = this;
    this.map = map;
    this.options = options || {};
    this.incidentMarkers = new Map();
    this.unitMarkers = new Map();
    this.hexLayers = new Map();
    // Each live layer on a canvas of its own, above the boroughs: a unit's move repaints
    // the units' canvas only, never the 3,000 hexes or the borough outlines (one shared
    // canvas made every frame repaint all of it: docs/performance.md).
    this.heatCanvas = canvasPane(map, "bl-heat", 410);
    this.incidentCanvas = canvasPane(map, "bl-incidents", 440);
    this.unitCanvas = canvasPane(map, "bl-units", 450);
    this.heat = L.layerGroup().addTo(map);
    this.incidents = L.layerGroup().addTo(map);
    this.units = L.layerGroup().addTo(map);
    var self = this;
    hexes().then(function (collection) {
      if (!collection || !collection.features) { return; }
      L.geoJSON(collection, {
        interactive: false,
        renderer: self.heatCanvas,
        style: function () { return { stroke: false, fillOpacity: 0 }; },
        onEachFeature: function (feature, layer) { self.hexLayers.set(feature.id, layer); },
      }).addTo(self.heat);
      self.paintHeat();
    });
  }

  LiveLayers.prototype.apply = function (change) {
    var self = this;
    if (change.reset) {
      this.incidents.clearLayers(); this.incidentMarkers.clear();
      this.units.clearLayers(); this.unitMarkers.clear();
      live.incidents.forEach(function (incident, id) { self.incident(id, incident); });
      live.units.forEach(function (unit, id) { self.unit(id, unit); });
    } else {
      change.incidents.forEach(function (id) { self.incident(id, live.incidents.get(id)); });
      change.units.forEach(function (id) { self.unit(id, live.units.get(id)); });
    }
    if (change.reset || change.incidents.size) { this.paintHeat(); }
  };

  LiveLayers.prototype.incident = function (id, incident) {
    var marker = this.incidentMarkers.get(id);
    if (!incident) {
      if (marker) { this.incidents.removeLayer(marker); this.incidentMarkers.delete(id); }
      return;
    }
    var style = Object.assign({}, GRADE_STYLE[incident.grade] || GRADE_STYLE.E);
    if (incident.status !== "open") { style.fillOpacity = 0.35; style.radius = Math.max(4, style.radius - 3); }
    if (!marker) {
      marker = L.circleMarker([incident.lat, incident.lon], Object.assign({ renderer: this.incidentCanvas }, style));
      marker.bluelamp = { kind: "incident", id: id };
      var self = this;
      marker.on("click", function () { if (self.options.onClick) { self.options.onClick("incident", id); } });
      this.incidentMarkers.set(id, marker);
      this.incidents.addLayer(marker);
    } else {
      marker.setLatLng([incident.lat, incident.lon]);
      marker.setStyle(style);
      marker.setRadius(style.radius);
    }
    var label = incident.grade + " · " + incident.category + " · " + incident.incident_id;
    if (this.options.summaries && incident.summary) { label += " — " + incident.summary; }
    marker.unbindTooltip().bindTooltip(escape(label), { className: "bl-tooltip" });
    if (incident.grade === "I" && incident.status === "open") { marker.bringToFront(); }
  };

  LiveLayers.prototype.unit = function (id, unit) {
    var marker = this.unitMarkers.get(id);
    if (!unit) {
      if (marker) { this.units.removeLayer(marker); this.unitMarkers.delete(id); }
      return;
    }
    var style = { radius: 5, fillColor: UNIT_COLOUR[unit.status] || "#8e8e93", color: "#0b1117", weight: 1, fillOpacity: 0.95 };
    if (!marker) {
      marker = L.circleMarker([unit.lat, unit.lon], Object.assign({ renderer: this.unitCanvas }, style));
      marker.bluelamp = { kind: "unit", id: id };
      var self = this;
      marker.on("click", function () { if (self.options.onClick) { self.options.onClick("unit", id); } });
      marker.bindTooltip(escape(unit.callsign), { className: "bl-tooltip" });
      this.unitMarkers.set(id, marker);
      this.units.addLayer(marker);
    } else {
      marker.setLatLng([unit.lat, unit.lon]);
      marker.setStyle(style);
    }
  };

  // Demand heat: open I and S incidents per hex, red deepening with the count.
  LiveLayers.prototype.paintHeat = function () {
    if (!this.hexLayers.size) { return; }
    var counts = new Map();
    live.incidents.forEach(function (incident) {
      if (LIVE_GRADES[incident.grade] && incident.hex) {
        counts.set(incident.hex, (counts.get(incident.hex) || 0) + 1);
      }
    });
    var painted = this._painted || new Set();
    var next = new Set();
    var self = this;
    counts.forEach(function (n, hex) {
      var layer = self.hexLayers.get(hex);
      if (!layer) { return; }
      // Muted, under the markers: heat says where demand gathers, markers say what it is.
      layer.setStyle({ stroke: false, fillColor: "#c2185b", fillOpacity: Math.min(0.5, 0.12 + 0.1 * n) });
      next.add(hex);
    });
    painted.forEach(function (hex) {
      if (!next.has(hex)) { var layer = self.hexLayers.get(hex); if (layer) { layer.setStyle({ fillOpacity: 0 }); } }
    });
    this._painted = next;
  };

  // -- screens ----------------------------------------------------------------------------

  var current = null;  // { name, stop() }

  function mount(name, root) {
    if (current && current.root === root) { return; }
    if (current) { current.stop(); current = null; }
    if (name === "signin") { current = signin(root); return; }
    // Claimed at once: the DOM changes many times while the sign-in check is in flight, and
    // each change must not mount the screen again (two click handlers, two assignments).
    var claim = { root: root, stop: function () { claim.stopped = true; } };
    current = claim;
    session.require().then(function (me) {
      if (claim.stopped || !document.body.contains(root)) { return; }
      if (me.role === "feed") {
        root.innerHTML = "<p class='bl-error'>A feed account has no screens.</p>";
        return;
      }
      live.start();
      current = name === "wall" ? wall(root, me) : name === "inspector" ? inspector(root, me)
        : name === "planner" ? planner(root, me) : passive(root);
      current.root = root;
    });
  }

  function passive(root) { return { root: root, stop: function () {} }; }

  function findMap(id) {
    return new Promise(function (resolve) {
      (function look() {
        var map = B.maps && B.maps[id];
        if (map) { resolve(map); } else { setTimeout(look, 50); }
      })();
    });
  }

  // Where ?next= may send the browser after sign-in: a path of this origin, else nowhere.
  // Resolved the way the browser will resolve it (it drops tabs and newlines and reads "\"
  // as "/", so "/\t/evil" and "/\\evil" mean //evil), then the origin compared.
  function sameOrigin(next) {
    if (!next || next.charAt(0) !== "/" || /[\u0000-\u001f\u007f\\]/.test(next)) { return null; }
    var url;
    try { url = new URL(next, window.location.origin); } catch (e) { return null; }
    // "/.//evil" resolves to the path "//evil", which assign() would read as another host.
    if (url.origin !== window.location.origin || url.pathname.indexOf("//") === 0
        || url.pathname.indexOf("/signin") === 0) { return null; }
    return url.pathname + url.search + url.hash;
  }

  function signin(root) {
    var form = el("signin-form");
    function submit(event) {
      event.preventDefault();
      var error = el("signin-error");
      error.textContent = "";
      session.signIn(el("signin-user").value, el("signin-password").value).then(function (answer) {
        if (answer.status !== 200) {
          error.textContent = answer.body.detail || "Sign-in failed";
          return;
        }
        window.location.assign(sameOrigin(new URLSearchParams(window.location.search).get("next"))
          || session.home(answer.body.role));
      });
    }
    form.addEventListener("submit", submit);
    return { root: root, stop: function () { form.removeEventListener("submit", submit); } };
  }

  // -- the wall ---------------------------------------------------------------------------

  function wall(root, me) {
    var params = new URLSearchParams(window.location.search);
    var layers = null;
    var unsubscribe = live.onChange(render);
    var timers = [];
    findMap("map").then(function (map) {
      layers = new LiveLayers(map, { summaries: params.get("privacy") === "off" });
      layers.apply({ reset: true });
      var every = parseFloat(params.get("cycle"));
      if (every > 0) { timers.push(cycle(map, every)); }
    });
    render({ reset: true, incidents: new Set(), units: new Set(), advice: true });
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
      var tiles = [
        ["Open I", k.open_i, k.open_i > 0 ? "bl-hot" : ""],
        ["Open S", k.open_s, ""],
        ["Awaiting a unit", k.awaiting_unit, k.awaiting_unit > 0 ? "bl-warm" : ""],
        ["I within 15 min (last hour)", share === null || share === undefined ? "–" : Math.round(share * 100) + "%", share !== null && share < 0.9 ? "bl-warm" : ""],
        ["Units available", k.available_units + " / " + k.on_duty_units, ""],
      ];
      el("kpis").innerHTML = tiles.map(function (t) {
        return "<div class='bl-kpi " + t[2] + "'><span class='bl-kpi-value'>" + escape(t[1]) + "</span><span class='bl-kpi-label'>" + escape(t[0]) + "</span></div>";
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
          return "<li class='bl-grade-" + w.grade + "'><b>" + w.grade + "</b> " + escape(w.bcu) + " · " + escape(w.category) +
            " · " + countdown(w.seconds_left - elapsed) + " · " +
            (best ? escape(best.callsign) + " " + minutes(best.eta_s) : "no unit available") + "</li>";
        }).join("") : "<li class='bl-muted'>None</li>";
        el("alerts").innerHTML = advice.alerts.length ? advice.alerts.slice(0, 8).map(function (a) {
          return "<li>" + escape(a.text) + "</li>";
        }).join("") : "<li class='bl-muted'>None</li>";
      }
      var rows = Object.keys(live.bcus || {}).sort().map(function (code) {
        var c = live.bcus[code];
        var hot = c.load > 1 ? " class='bl-hot'" : c.load > 0.5 ? " class='bl-warm'" : "";
        return "<tr" + hot + "><th>" + code + "</th><td>" + c.open_by_grade.I + "</td><td>" + c.open_by_grade.S + "</td><td>" + c.available + " / " + c.capacity + "</td><td>" + c.load.toFixed(2) + "</td></tr>";
      });
      el("bcu-table").innerHTML = "<thead><tr><th>BCU</th><th>I</th><th>S</th><th>Avail.</th><th>Load</th></tr></thead><tbody>" + rows.join("") + "</tbody>";
    }

    return {
      root: root,
      stop: function () {
        unsubscribe();
        timers.forEach(clearInterval);
        if (textTimer) { clearTimeout(textTimer); }
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

  // -- the inspector ------------------------------------------------------------------------

  function inspector(root, me) {
    var canAct = me.role === "commander" || me.role === "inspector";
    var state = { bcu: me.bcu || "AW", incident: null, unit: null };
    var layers = null;
    var queueApi = null, unitsApi = null;
    var unsubscribe = live.onChange(render);
    var timers = [setInterval(function () { refreshRows(true); }, 5000)];

    // The BCU picker is a Dash dropdown; a clientside callback hands its value here.
    B.pickBcu = function (code) {
      if (!code || code === state.bcu) { return; }
      state.bcu = code;
      refreshRows(true);
      focusBcu();
    };
    dash_clientside.set_props("inspector-bcu", { value: state.bcu });

    findMap("inspector-map").then(function (map) {
      layers = new LiveLayers(map, { summaries: true, onClick: onMapClick });
      layers.apply({ reset: true });
      focusBcu();
    });
    Promise.all([dash_ag_grid.getApiAsync("queue"), dash_ag_grid.getApiAsync("units")]).then(function (apis) {
      queueApi = apis[0];
      unitsApi = apis[1];
      queueApi.addEventListener("selectionChanged", function () {
        var row = queueApi.getSelectedRows()[0];
        if (row) { selectIncident(row.incident_id); }
      });
      unitsApi.addEventListener("selectionChanged", function () {
        var row = unitsApi.getSelectedRows()[0];
        if (row) { selectUnit(row.unit_id); }
      });
      refreshRows(true);
    });
    document.addEventListener("keydown", onKey);
    renderPanel();

    function focusBcu() {
      var map = layers && layers.map;
      if (!map) { return; }
      var found = null;
      map.eachLayer(function (layer) {
        if (layer.feature && layer.feature.properties && layer.feature.properties.code === state.bcu && layer.getBounds) { found = layer; }
      });
      if (found) { map.fitBounds(found.getBounds(), { padding: [10, 10] }); }
    }

    function waitingById() {
      var byId = {};
      if (live.advice) { live.advice.waiting.forEach(function (w) { byId[w.incident_id] = w; }); }
      return byId;
    }

    function queueRow(incident, waiting, t) {
      var w = waiting[incident.incident_id];
      return {
        incident_id: incident.incident_id,
        // Waiting incidents first, by grade; then those with a unit, by grade.
        rank: (incident.status === "open" ? 0 : 10) + GRADE_ORDER[incident.grade],
        grade: incident.grade,
        category: incident.category,
        status: incident.status,
        age: mmss((t - Date.parse(incident.created_at)) / 1000),
        to_target: incident.target_at && incident.status === "open" ? Math.round((Date.parse(incident.target_at) - t) / 1000) : NO_TARGET,
        nearest: w ? w.nearest.map(function (n) { return n.callsign + " " + minutes(n.eta_s); }).join(", ") : "",
        borough: incident.borough,
      };
    }

    function unitRow(unit, t) {
      return {
        unit_id: unit.unit_id, callsign: unit.callsign, unit_type: unit.unit_type,
        status: unit.status, incident_id: unit.incident_id || "", home_bcu: unit.home_bcu,
        fix_age: mmss((t - Date.parse(unit.fix_at)) / 1000),
      };
    }

    // All rows (a BCU change, ages ticking) or only what a frame changed, as one grid
    // transaction each: the grid keeps its selection and scroll, React renders nothing.
    function refreshRows(all, change) {
      if (!queueApi || !unitsApi) { return; }
      var t = now(), waiting = waitingById();
      if (all) {
        var incidents = [], units = [];
        live.incidents.forEach(function (i) { if (i.bcu === state.bcu) { incidents.push(queueRow(i, waiting, t)); } });
        live.units.forEach(function (u) { if (u.bcu === state.bcu) { units.push(unitRow(u, t)); } });
        queueApi.setGridOption("rowData", incidents);
        unitsApi.setGridOption("rowData", units);
        reselect();
        return;
      }
      transact(queueApi, change.incidents, live.incidents, function (i) { return i.bcu === state.bcu; }, function (i) { return queueRow(i, waiting, t); }, "incident_id");
      transact(unitsApi, change.units, live.units, function (u) { return u.bcu === state.bcu; }, function (u) { return unitRow(u, t); }, "unit_id");
    }

    function transact(api, ids, store, mine, row, key) {
      var add = [], update = [], remove = [];
      ids.forEach(function (id) {
        var item = store.get(id);
        var shown = api.getRowNode(id);
        if (item && mine(item)) { (shown ? update : add).push(row(item)); }
        else if (shown) { var gone = {}; gone[key] = id; remove.push(gone); }
      });
      if (add.length || update.length || remove.length) { api.applyTransaction({ add: add, update: update, remove: remove }); }
    }

    function reselect() {
      if (state.incident && queueApi.getRowNode(state.incident)) { queueApi.getRowNode(state.incident).setSelected(true, true); }
      if (state.unit && unitsApi.getRowNode(state.unit)) { unitsApi.getRowNode(state.unit).setSelected(true, true); }
    }

    function render(change) {
      if (layers) { layers.apply(change); }
      if (change.reset || change.advice) { refreshRows(true); }
      else { refreshRows(false, change); }
      if ((state.incident && change.incidents.has(state.incident)) || (state.unit && change.units.has(state.unit)) || change.advice || change.reset) {
        renderPanel();
      }
    }

    function onMapClick(kind, id) {
      if (kind === "unit") { selectUnit(id); return; }
      if (state.unit && canAct && live.units.get(state.unit) && live.units.get(state.unit).status === "available") {
        assign(state.unit, id);
        return;
      }
      selectIncident(id);
    }

    function selectIncident(id) {
      if (state.incident === id) { return; }
      state.incident = id;
      renderPanel();
      loadTimeline(id);
    }

    function selectUnit(id) {
      if (state.unit === id) { return; }
      state.unit = id;
      renderPanel();
    }

    var timelines = {};
    function loadTimeline(id) {
      session.request("GET", "/api/incidents/" + encodeURIComponent(id)).then(function (answer) {
        if (answer.status === 200) { timelines[id] = answer.body.timeline; if (state.incident === id) { renderPanel(); } }
      });
    }

    function suggestions() {
      var w = state.incident && waitingById()[state.incident];
      return w ? w.nearest : [];
    }

    function renderPanel() {
      var detail = el("detail"), actions = el("actions");
      if (!detail || !actions) { return; }
      var incident = state.incident && live.incidents.get(state.incident);
      var html = "";
      if (incident) {
        html += "<h2>" + escape(incident.grade) + " · " + escape(incident.category) + " <small>" + escape(incident.incident_id) + "</small></h2>";
        html += "<p>" + escape(incident.borough) + " (" + escape(incident.bcu) + ") · " + escape(incident.status) + " · created " + clock(incident.created_at) +
          (incident.target_at ? " · target " + clock(incident.target_at) : "") + "</p>";
        if (incident.summary) { html += "<p class='bl-summary'>" + escape(incident.summary) + "</p>"; }
        if (canAct && incident.status === "open") {
          html += "<div class='bl-suggestions'>" + suggestions().map(function (n, i) {
            return "<button class='bl-button bl-primary' data-assign='" + escape(n.unit_id) + "'>" + (i + 1) + " · Assign " + escape(n.callsign) + " (" + minutes(n.eta_s) + ")</button>";
          }).join("") + "</div>";
        }
        var timeline = timelines[incident.incident_id] || [];
        html += "<ol class='bl-timeline'>" + timeline.map(function (t) {
          return "<li><span class='bl-num'>" + clock(t.event.time) + "</span> " + escape(t.event.type) + (t.event.data.unit_id ? " " + escape(t.event.data.unit_id) : "") + "</li>";
        }).join("") + "</ol>";
      } else if (state.incident) {
        html += "<p class='bl-muted'>Incident " + escape(state.incident) + " is closed.</p>";
      } else {
        html += "<p class='bl-muted'>Select an incident in the queue or on the map.</p>";
      }
      detail.innerHTML = html;

      var unit = state.unit && live.units.get(state.unit);
      var controls = "";
      if (!canAct) {
        controls = "<p class='bl-muted'>Read only: commanders and inspectors move units.</p>";
      } else if (unit) {
        controls += "<h3>" + escape(unit.callsign) + " <small>" + escape(unit.unit_type) + " · " + escape(unit.status) + " · deployed " + escape(unit.bcu) + "</small></h3>";
        controls += ["available", "busy", "off_duty"].map(function (s) {
          return "<button class='bl-button' data-status='" + s + "'>" + s.replace("_", " ") + "</button>";
        }).join("");
        if (unit.status === "en_route") { controls += "<button class='bl-button' data-status='on_scene'>on scene</button>"; }
        controls += "<div class='bl-redeploy'><select id='redeploy-bcu'>" + Object.keys(live.bcus || {}).sort().map(function (c) {
          return "<option" + (c === unit.bcu ? " selected" : "") + ">" + c + "</option>";
        }).join("") + "</select><input id='redeploy-reason' placeholder='Reason' maxlength='200'><button class='bl-button' data-redeploy='1'>Redeploy</button></div>";
      } else {
        controls = "<p class='bl-muted'>Select a unit to change its status or redeploy it; then click an incident on the map to assign it.</p>";
      }
      actions.innerHTML = controls;
    }

    function onPanelClick(event) {
      var target = event.target.closest("button");
      if (!target) { return; }
      if (target.dataset.assign) { assign(target.dataset.assign, state.incident); }
      if (target.dataset.status) { setStatus(state.unit, target.dataset.status); }
      if (target.dataset.redeploy) { redeploy(state.unit, el("redeploy-bcu").value, el("redeploy-reason").value); }
    }
    root.addEventListener("click", onPanelClick);

    function report(answer, done) {
      var result = el("result");
      if (!result) { return; }
      var ok = answer.status === 200;
      result.className = "bl-result " + (ok ? "bl-ok" : "bl-fail");
      result.textContent = ok ? "✓ " + done + " (seq " + answer.body.seq + ")" : "✗ " + answer.status + ": " + (answer.body.detail || "failed");
    }

    function callsign(unitId) { var u = live.units.get(unitId); return u ? u.callsign : unitId; }

    function assign(unitId, incidentId) {
      if (!unitId || !incidentId) { return; }
      session.request("POST", "/api/units/" + encodeURIComponent(unitId) + "/assignment", { incident_id: incidentId })
        .then(function (answer) { report(answer, callsign(unitId) + " assigned to " + incidentId); });
    }
    function setStatus(unitId, status) {
      if (!unitId) { return; }
      session.request("POST", "/api/units/" + encodeURIComponent(unitId) + "/status", { status: status })
        .then(function (answer) { report(answer, callsign(unitId) + " now " + status.replace("_", " ")); });
    }
    function redeploy(unitId, bcu, reason) {
      if (!unitId) { return; }
      session.request("POST", "/api/units/" + encodeURIComponent(unitId) + "/redeployment", { bcu: bcu, reason: reason })
        .then(function (answer) { report(answer, callsign(unitId) + " redeployed to " + bcu); });
    }

    function onKey(event) {
      var tag = (event.target && event.target.tagName) || "";
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || !canAct) { return; }
      var key = event.key.toLowerCase();
      if (key >= "1" && key <= "3") {
        var pick = suggestions()[Number(key) - 1];
        if (pick) { assign(pick.unit_id, state.incident); }
      } else if (key === "a" && state.unit) { setStatus(state.unit, "available"); }
      else if (key === "b" && state.unit) { setStatus(state.unit, "busy"); }
      else if (key === "r" && el("redeploy-reason")) { event.preventDefault(); el("redeploy-reason").focus(); }
      else if (key === "escape") { state.incident = null; state.unit = null; queueApi && queueApi.deselectAll(); unitsApi && unitsApi.deselectAll(); renderPanel(); }
    }

    return {
      root: root,
      stop: function () {
        unsubscribe();
        B.pickBcu = null;
        timers.forEach(clearInterval);
        document.removeEventListener("keydown", onKey);
        root.removeEventListener("click", onPanelClick);
      },
    };
  }

  // -- the planner ----------------------------------------------------------------------------

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

  // -- wiring -----------------------------------------------------------------------------

  var lookedAt = null;
  function look() {
    // Called on every DOM change (live text included): do nothing unless the page changed.
    if (current && current.root.isConnected && lookedAt === window.location.pathname) { return; }
    lookedAt = window.location.pathname;
    document.querySelectorAll(".bl-nav a").forEach(function (link) {
      var here = link.getAttribute("href") === window.location.pathname;
      if (here !== link.classList.contains("bl-here")) { link.classList.toggle("bl-here", here); }
    });
    var screen = document.querySelector("[data-screen]");
    if (screen) { mount(screen.getAttribute("data-screen"), screen); return; }
    if (el("signin-form")) { mount("signin", el("signin-form")); return; }
    if (current) { current.stop(); current = null; }
  }
  document.addEventListener("click", function (event) {
    if (event.target && event.target.id === "sign-out") { session.signOut(); }
  });
  new MutationObserver(look).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", look);
})();
