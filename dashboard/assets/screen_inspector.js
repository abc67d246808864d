// The inspector's desk: one BCU's queue and units, advice, commands, incident detail.
(function () {
  "use strict";
  var B = window.bluelamp, ui = B.ui, live = B.live, session = B.session;
  var words = ui.words;
  var el = ui.el, escape = ui.escape, mmss = ui.mmss, minutes = ui.minutes, now = ui.now, clock = ui.clock, findMap = ui.findMap, GRADE_ORDER = ui.GRADE_ORDER, NO_TARGET = ui.NO_TARGET;

  // "To target" in the queue: overdue in words, and a warning sign under five minutes, so
  // the row's colour (rowClassRules in dashboard/inspector.py) is never the only signal.
  var NEAR_BREACH_S = 5 * 60;
  var gridFunctions = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  gridFunctions.toTarget = function (value) {
    if (value === null || value === undefined || value >= NO_TARGET) { return ""; }
    if (value < 0) { return "⚠ " + mmss(-value) + " overdue"; }
    return (value < NEAR_BREACH_S ? "⚠ " : "") + mmss(value);
  };

  // The alert sound: a short WebAudio beep, unless muted (remembered in this browser).
  // bluelamp.sound.beep is what plays; tests wrap it to observe that it was called.
  var MUTE_KEY = "bluelamp.alerts.muted";
  var audio = null;
  B.sound = {
    muted: function () { try { return window.localStorage.getItem(MUTE_KEY) === "1"; } catch (e) { return false; } },
    setMuted: function (muted) { try { window.localStorage.setItem(MUTE_KEY, muted ? "1" : "0"); } catch (e) { /* private mode: not remembered */ } },
    play: function (why) { if (!B.sound.muted()) { B.sound.beep(why); } },
    beep: function () {
      try {
        audio = audio || new (window.AudioContext || window.webkitAudioContext)();
        if (audio.state === "suspended") { audio.resume(); }
        [0, 0.25].forEach(function (at) {
          var osc = audio.createOscillator(), gain = audio.createGain();
          osc.type = "square";
          osc.frequency.value = 880;
          gain.gain.value = 0.08;
          osc.connect(gain).connect(audio.destination);
          osc.start(audio.currentTime + at);
          osc.stop(audio.currentTime + at + 0.15);
        });
      } catch (e) { /* no audio device: the banner still shows */ }
    },
  };

  function inspector(root, me) {
    var canAct = me.role === "commander" || me.role === "inspector";
    // Where the inspector was (bcu, incident, unit) is in the address, so a reload keeps it;
    // with none there, an inspector's own BCU.
    var known = (root.getAttribute("data-bcus") || "").split(",");
    var asked = new URLSearchParams(window.location.search);
    var askedBcu = (asked.get("bcu") || "").toUpperCase();
    var state = {
      bcu: known.indexOf(askedBcu) >= 0 ? askedBcu : me.bcu || "AW",
      incident: asked.get("incident") || null,
      unit: asked.get("unit") || null,
    };
    var filters = { grades: { I: true, S: true, E: true, R: true }, status: "", search: "" };
    var alerts = { seen: null, breached: {} };  // I-grade ids already known / already alerted
    var layers = null;
    var queueApi = null, unitsApi = null;
    var unsubscribe = live.onChange(render);
    var timers = [setInterval(function () { refreshRows(true); tickInStatus(); }, 5000)];

    // The BCU picker is a Dash dropdown; a clientside callback hands its value here.
    B.pickBcu = function (code) {
      if (!code || code === state.bcu) { return; }
      state.bcu = code;
      alerts.seen = null;  // another BCU's incidents are not news
      syncUrl();
      refreshRows(true);
      focusBcu();
    };
    dash_clientside.set_props("inspector-bcu", { value: state.bcu });

    findMap("inspector-map").then(function (map) {
      layers = new B.LiveLayers(map, { summaries: true, lines: true, onClick: onMapClick });
      layers.highlight(state.incident);
      layers.apply({ reset: true });
      focusBcu();
    });
    Promise.all([dash_ag_grid.getApiAsync("queue"), dash_ag_grid.getApiAsync("units")]).then(function (apis) {
      queueApi = apis[0];
      unitsApi = apis[1];
      queueApi.setGridOption("isExternalFilterPresent", filtering);
      queueApi.setGridOption("doesExternalFilterPass", function (node) { return passes(node.data); });
      queueApi.addEventListener("selectionChanged", function () {
        var row = queueApi.getSelectedRows()[0];
        if (row) { selectIncident(row.incident_id); }
      });
      unitsApi.addEventListener("selectionChanged", function () {
        var row = unitsApi.getSelectedRows()[0];
        if (row) { selectUnit(row.unit_id); }
      });
      // A click is the user's choice whatever the grid's selection says by the time its
      // (deferred) selectionChanged runs: a frame's update can clear it in between, and the
      // click was lost (CI saw it: an unselected panel after a click on a busy machine).
      queueApi.addEventListener("rowClicked", function (event) {
        if (event.data) { selectIncident(event.data.incident_id); reselect(); }
      });
      unitsApi.addEventListener("rowClicked", function (event) {
        if (event.data) { selectUnit(event.data.unit_id); reselect(); }
      });
      refreshRows(true);
    });
    document.addEventListener("keydown", onKey);
    makeFilters();
    var mute = el("alert-mute");
    showMute();
    if (mute) { mute.addEventListener("click", toggleMute); }
    syncUrl();

    // -- the address ------------------------------------------------------------------------
    function syncUrl() {
      var params = new URLSearchParams(window.location.search);
      params.set("bcu", state.bcu);
      [["incident", state.incident], ["unit", state.unit]].forEach(function (p) {
        if (p[1]) { params.set(p[0], p[1]); } else { params.delete(p[0]); }
      });
      var url = window.location.pathname + "?" + params.toString() + window.location.hash;
      if (url !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.replaceState(window.history.state, "", url);
      }
    }

    // -- queue filters and search -------------------------------------------------------------
    function makeFilters() {
      var box = el("queue-filters");
      if (!box) { return; }
      box.innerHTML =
        "<span class='bl-grade-filter' role='group' aria-label='Grades shown'>" + ["I", "S", "E", "R"].map(function (g) {
          return "<button type='button' class='bl-chip' data-grade='" + g + "' aria-pressed='true' title='" + escape(words("grade", g)) + "'>" + g + "</button>";
        }).join("") + "</span>" +
        "<select id='queue-status' aria-label='Status shown'><option value=''>any status</option>" +
        ["open", "assigned", "on_scene"].map(function (st) { return "<option value='" + st + "'>" + escape(words("incident", st)) + "</option>"; }).join("") +
        "</select><input id='queue-search' type='search' placeholder='Search: category, id, reference, borough, address' aria-label='Search the queue' size='34'>" +
        "<span id='queue-count' class='bl-muted'></span>";
      box.addEventListener("click", function (event) {
        var chip = event.target.closest("[data-grade]");
        if (!chip) { return; }
        var g = chip.dataset.grade;
        filters.grades[g] = !filters.grades[g];
        chip.setAttribute("aria-pressed", String(filters.grades[g]));
        applyFilters();
      });
      el("queue-status").addEventListener("change", function (event) { filters.status = event.target.value; applyFilters(); });
      el("queue-search").addEventListener("input", function (event) { filters.search = event.target.value.trim().toLowerCase(); applyFilters(); });
    }

    function filtering() {
      return filters.search !== "" || filters.status !== "" || ["I", "S", "E", "R"].some(function (g) { return !filters.grades[g]; });
    }

    function passes(row) {
      if (!row || !filters.grades[row.grade_code] || (filters.status && row.status_code !== filters.status)) { return false; }
      if (!filters.search) { return true; }
      var incident = live.incidents.get(row.incident_id) || {};
      var haystack = [row.incident_id, incident.reference, incident.category, row.category, incident.borough, incident.address]
        .map(function (v) { return ui.text(v).toLowerCase(); }).join(" ");
      return filters.search.split(/\s+/).every(function (word) { return haystack.indexOf(word) >= 0; });
    }

    function applyFilters() {
      if (!queueApi) { return; }
      queueApi.onFilterChanged();
      var count = el("queue-count");
      if (count) {
        count.textContent = filtering() ? queueApi.getDisplayedRowCount() + " of " + countRows() + " shown" : "";
      }
    }
    function countRows() { var n = 0; queueApi.forEachNode(function () { n += 1; }); return n; }

    // -- alerts: a new or breaching I-grade incident in this BCU --------------------------------
    function showMute() {
      if (!mute) { return; }
      var muted = B.sound.muted();
      mute.textContent = muted ? "🔕 Sound off" : "🔔 Sound on";
      mute.setAttribute("aria-pressed", String(muted));
      mute.title = muted ? "Alerts are silent: click to hear them" : "Alerts beep: click to mute";
    }
    function toggleMute() { B.sound.setMuted(!B.sound.muted()); showMute(); }

    function watchAlerts(t) {
      var first = alerts.seen === null;
      var seen = alerts.seen || {};
      var news = [];
      live.incidents.forEach(function (i) {
        if (i.bcu !== state.bcu || i.grade !== "I" || i.status === "closed") { return; }
        var breached = i.status === "open" && i.target_at && Date.parse(i.target_at) <= t;
        if (!seen[i.incident_id]) {
          seen[i.incident_id] = true;
          if (!first) { news.push([i, "New"]); }
        }
        if (breached && !alerts.breached[i.incident_id]) {
          alerts.breached[i.incident_id] = true;
          if (!first) { news.push([i, "Target missed"]); }
        }
      });
      alerts.seen = seen;
      if (news.length) { raise(news[news.length - 1][0], news[news.length - 1][1]); }
    }

    function raise(incident, what) {
      var banner = el("inspector-alert");
      if (banner) {
        banner.innerHTML = "<span class='bl-alert-what'>" + escape(what) + " I-grade</span> " +
          escape(incident.reference || incident.incident_id) + " · " + escape(words("category", incident.category)) + " · " + escape(incident.borough || "") +
          " <button type='button' class='bl-button' data-show='" + escape(incident.incident_id) + "'>Show</button>" +
          "<button type='button' class='bl-button' data-dismiss='1' aria-label='Dismiss the alert'>✕</button>";
        banner.classList.remove("bl-flash");
        void banner.offsetWidth;  // restart the flash animation
        banner.classList.add("bl-flash", "bl-shown");
        banner.dataset.incident = incident.incident_id;
      }
      B.sound.play(what);
    }

    function focusBcu() {
      if (layers) { layers.focusBcu(state.bcu); }
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
        reference: incident.reference || incident.incident_id,
        // Waiting incidents first, by grade; then those with a unit, by grade.
        rank: (incident.status === "open" ? 0 : 10) + GRADE_ORDER[incident.grade],
        grade: words("grade", incident.grade),
        grade_code: incident.grade,
        category: words("category", incident.category),
        status: words("incident", incident.status),
        status_code: incident.status,
        age: mmss((t - Date.parse(incident.created_at)) / 1000),
        to_target: incident.target_at && incident.status === "open" ? Math.round((Date.parse(incident.target_at) - t) / 1000) : NO_TARGET,
        nearest: w ? w.nearest.map(function (n) { return n.callsign + " " + minutes(n.eta_s); }).join(", ") : "",
        borough: incident.borough,
      };
    }

    // What a unit may be set to from the panel (en route and on scene come from incidents).
    var STATUS_BUTTONS = ["available", "at_station", "busy", "refreshment", "custody", "off_duty"];
    // Units that can be sent: a unit at the station can go, one on a break or in custody not.
    var DISPATCHABLE = { available: true, at_station: true };

    function statusWords(status) { return words("unit", status); }  // bluelamp.ui.words
    // "busy 23 min", "custody 2 h 05 min": time in status by event time, whole minutes.
    function inStatus(unit, t) {
      var words = statusWords(unit.status);
      if (!unit.status_since) { return words; }
      var m = Math.max(0, Math.floor((t - Date.parse(unit.status_since)) / 60000));
      var h = Math.floor(m / 60);
      return words + " " + (h ? h + " h " + String(m % 60).padStart(2, "0") + " min" : m + " min");
    }
    function tickInStatus() {
      var span = el("unit-in-status"), unit = state.unit && live.units.get(state.unit);
      if (span && unit) { span.textContent = inStatus(unit, now()); }
    }

    function unitRow(unit, t) {
      return {
        unit_id: unit.unit_id, callsign: unit.callsign, unit_type: unit.unit_type,
        status: words("unit", unit.status), status_code: unit.status, in_status: inStatus(unit, t), incident_id: unit.incident_id || "", home_bcu: unit.home_bcu,
        fix_age: mmss((t - Date.parse(unit.fix_at)) / 1000),
      };
    }

    // All rows (a BCU change, ages ticking) or only what a frame changed, as one grid
    // transaction each: the grid keeps its selection and scroll, React renders nothing.
    function refreshRows(all, change) {
      if (!queueApi || !unitsApi) { return; }
      var t = now(), waiting = waitingById();
      watchAlerts(t);
      if (all) {
        var incidents = [], units = [];
        live.incidents.forEach(function (i) { if (i.bcu === state.bcu) { incidents.push(queueRow(i, waiting, t)); } });
        live.units.forEach(function (u) { if (u.bcu === state.bcu) { units.push(unitRow(u, t)); } });
        queueApi.setGridOption("rowData", incidents);
        unitsApi.setGridOption("rowData", units);
        reselect();
        applyFilters();
        return;
      }
      transact(queueApi, change.incidents, live.incidents, function (i) { return i.bcu === state.bcu; }, function (i) { return queueRow(i, waiting, t); }, "incident_id");
      transact(unitsApi, change.units, live.units, function (u) { return u.bcu === state.bcu; }, function (u) { return unitRow(u, t); }, "unit_id");
      if (filtering()) { applyFilters(); }
      // The selected incident's row may arrive in a transaction (a reload with ?incident=
      // can mount before the snapshot): select it when it does.
      var chosen = state.incident && queueApi.getRowNode(state.incident);
      if (chosen && !chosen.isSelected()) { chosen.setSelected(true, true); }
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
      // The timeline follows the feed: whatever touched the incident is in its log now.
      if (state.incident && (change.incidents.has(state.incident) || change.reset)) { loadTimeline(state.incident); }
      if ((state.incident && change.incidents.has(state.incident)) || (state.unit && change.units.has(state.unit)) || change.advice || change.reset) {
        renderPanel();
      }
    }

    function onMapClick(kind, id) {
      if (kind === "unit") { selectUnit(id); return; }
      if (state.unit && canAct && live.units.get(state.unit) && DISPATCHABLE[live.units.get(state.unit).status]) {
        assign(state.unit, id);
        return;
      }
      selectIncident(id);
    }

    function selectIncident(id) {
      if (state.incident === id) { return; }
      state.incident = id;
      if (layers) { layers.highlight(id); }
      syncUrl();
      renderPanel();
      loadTimeline(id);
    }

    function selectUnit(id) {
      if (state.unit === id) { return; }
      state.unit = id;
      syncUrl();
      state.confirm = null;
      renderPanel();
    }

    // id -> {seq, timeline, incident}; an answer older than the one shown is dropped (frames
    // can send several requests on their way at once).
    var timelines = {};
    function loadTimeline(id) {
      session.request("GET", "/api/incidents/" + encodeURIComponent(id)).then(function (answer) {
        if (answer.status !== 200) { return; }
        var shown = timelines[id];
        if (shown && shown.seq > answer.body.seq) { return; }
        timelines[id] = { seq: answer.body.seq, timeline: answer.body.timeline, incident: answer.body.incident };
        if (state.incident === id) { renderPanel(); }
      });
    }

    var callsigns = {};  // every callsign seen, for units no longer on duty
    function callsignOf(unitId) {
      var unit = live.units.get(unitId);
      if (unit) { callsigns[unitId] = unit.callsign; }
      return callsigns[unitId] || unitId;
    }

    // One line of an incident's log in the words a control room uses.
    function timelineWords(record) {
      var e = record.event, d = e.data;
      var say = {
        "incident.created": function () { return "created · grade " + d.grade + " · " + words("category", d.category); },
        "incident.graded": function () { return "regraded " + d.grade; },
        "incident.assigned": function () { return "assigned " + callsignOf(d.unit_id); },
        "incident.arrived": function () { return callsignOf(d.unit_id) + " on scene"; },
        "incident.closed": function () { return "closed: " + d.outcome; },
        "incident.noted": function () { return "note: " + d.text; },
        "alert.acknowledged": function () { return "alert acknowledged"; },
      }[e.type];
      var line = say ? say() : e.type.replace(/[._]/g, " ");
      var by = e.source.indexOf("bluelamp-api/") === 0 ? e.source.slice("bluelamp-api/".length) : d.by;
      return line + (by ? " · " + by : "");
    }

    function mayActOn(incident) {
      return canAct && (me.role !== "inspector" || incident.bcu === me.bcu);
    }

    // Units the inspector could send as well: available, deployed to the incident's BCU,
    // nearest first (straight line: the server's suggestions cover waiting incidents only).
    function secondUnits(incident) {
      var found = [];
      live.units.forEach(function (u) {
        if (DISPATCHABLE[u.status] && u.bcu === incident.bcu) {
          var dy = u.lat - incident.lat, dx = (u.lon - incident.lon) * Math.cos(incident.lat * Math.PI / 180);
          found.push([dx * dx + dy * dy, u]);
        }
      });
      found.sort(function (a, b) { return a[0] - b[0]; });
      return found.slice(0, 8).map(function (f) { return f[1]; });
    }

    // Rebuilding the panel (every frame that touches it) must not lose what is being typed.
    function keepingInputs(container, html) {
      var values = {}, focused = document.activeElement, focusId = null, caret = null;
      container.querySelectorAll("input[id], select[id]").forEach(function (input) { values[input.id] = input.value; });
      if (focused && container.contains(focused) && focused.id) {
        focusId = focused.id;
        try { caret = [focused.selectionStart, focused.selectionEnd]; } catch (error) { caret = null; }
      }
      container.innerHTML = html;
      Object.keys(values).forEach(function (id) {
        var input = el(id);
        if (input && container.contains(input) && !input.dataset.fresh) { input.value = values[id]; }
      });
      if (focusId && el(focusId)) {
        el(focusId).focus();
        if (caret && caret[0] !== null) { try { el(focusId).setSelectionRange(caret[0], caret[1]); } catch (error) { /* a select */ } }
      }
    }

    function suggestions() {
      var w = state.incident && waitingById()[state.incident];
      return w ? w.nearest : [];
    }

    // Whether this user's commands may move a unit deployed to ``bcu``, as the server
    // decides it (GET /api/me: commands is all, own_bcu or none).
    function mayCommand(bcu) {
      return me.commands === "all" || (me.commands === "own_bcu" && bcu === me.bcu);
    }

    // Requests this page answered stay hidden until the advice (recomputed on the next
    // events, at most once a second) no longer lists them.
    var answered = new Set();
    function openAid() {
      return ((live.advice && live.advice.mutual_aid) || []).filter(function (a) { return !answered.has(a.request_id); });
    }

    // One suggested unit: "Assign" if this user may command it; otherwise marked as
    // another BCU's, with "Request mutual aid" (or the request already waiting).
    function suggestion(n, i, incident) {
      var label = (i + 1) + " · " + escape(n.callsign) + " (" + escape(n.bcu) + ", " + minutes(n.eta_s) + ")";
      if (mayCommand(n.bcu)) {
        return "<button class='bl-button bl-primary' data-command='1' data-assign='" + escape(n.unit_id) + "'>" + (i + 1) + " · Assign " + escape(n.callsign) + " (" + escape(n.bcu) + ", " + minutes(n.eta_s) + ")</button>";
      }
      var asked = openAid().some(function (a) { return a.unit_id === n.unit_id && a.incident_id === incident.incident_id; });
      return "<span class='bl-suggestion bl-foreign' data-foreign='" + escape(n.unit_id) + "'>" + label + " · " + escape(n.bcu) + " unit, not yours to assign " +
        (asked ? "<em class='bl-muted'>mutual aid requested: waiting for a commander</em>"
          : "<button class='bl-button' data-command='1' data-aid='" + escape(n.unit_id) + "' data-eta='" + n.eta_s + "'>Request mutual aid</button>") + "</span>";
    }

    function aidRequests() {
      if (me.commands !== "all") { return ""; }
      var open = openAid();
      if (!open.length) { return ""; }
      return "<div class='bl-aid-requests'><h3>Mutual aid requests</h3>" + open.map(function (a) {
        return "<div class='bl-aid' data-request='" + escape(a.request_id) + "'>" + escape(a.callsign) + " (" + escape(a.from_bcu) + ") for " + escape(a.grade) + " · " + escape(a.category) + " " + escape(a.incident_id) + " in " + escape(a.to_bcu) +
          " · asked by " + escape(a.by) + ": " + escape(a.reason) +
          " <button class='bl-button bl-primary' data-command='1' data-grant='" + escape(a.request_id) + "'>Grant</button>" +
          "<button class='bl-button' data-command='1' data-decline='" + escape(a.request_id) + "'>Decline</button></div>";
      }).join("") + "</div>";
    }

    function incidentActions(incident) {
      var html = "";
      if (incident.status === "open") {
        html += "<div class='bl-suggestions'>" + suggestions().map(function (n, i) { return suggestion(n, i, incident); }).join("") + "</div>";
      } else {
        var more = secondUnits(incident);
        html += "<div class='bl-form' data-form='second'><select id='second-unit' aria-label='Another unit'>" + more.map(function (u) {
          return "<option value='" + escape(u.unit_id) + "'>" + escape(u.callsign) + " · " + escape(u.unit_type) + "</option>";
        }).join("") + "</select><button class='bl-button' data-command='1' data-second='1'" + (more.length ? "" : " disabled") + ">Send another unit</button></div>";
      }
      html += "<div class='bl-arrivals'>" + incident.units.filter(function (id) {
        var u = live.units.get(id);
        return u && u.status === "en_route";
      }).map(function (id) {
        return "<button class='bl-button' data-command='1' data-arrive='" + escape(id) + "'>" + escape(callsignOf(id)) + " on scene</button>";
      }).join("") + "</div>";
      html += "<div class='bl-form'><select id='regrade-grade' aria-label='New grade'>" + ["I", "S", "E", "R"].filter(function (g) { return g !== incident.grade; }).map(function (g) {
        return "<option>" + g + "</option>";
      }).join("") + "</select><button class='bl-button' data-command='1' data-regrade='1'>Regrade</button></div>";
      html += "<div class='bl-form'><input id='close-outcome' placeholder='Outcome' maxlength='200' aria-label='Outcome'><button class='bl-button' data-command='1' data-close='1'>Close incident</button></div>";
      return html;
    }

    function renderPanel() {
      var detail = el("detail"), actions = el("actions");
      if (!detail || !actions) { return; }
      var incident = state.incident && live.incidents.get(state.incident);
      var known = state.incident && timelines[state.incident];
      var html = "";
      if (incident) {
        html += "<h2>" + escape(words("grade", incident.grade)) + " · " + escape(words("category", incident.category)) + " <small class='bl-reference'>" + escape(incident.reference || incident.incident_id) + "</small></h2>";
        if (incident.address) { html += "<p class='bl-address'>" + escape(incident.address) + "</p>"; }
        html += "<p>" + escape(incident.borough) + " (" + escape(incident.bcu) + ") · " + escape(words("incident", incident.status)) + " · created " + clock(incident.created_at) +
          (incident.target_at ? " · target " + clock(incident.target_at) : "") + "</p>";
        if (incident.summary) { html += "<p class='bl-summary'>" + escape(incident.summary) + "</p>"; }
        if (mayActOn(incident)) { html += incidentActions(incident); }
      } else if (state.incident) {
        var gone = known && known.incident;
        html += "<p class='bl-muted'>Incident " + escape((gone && gone.reference) || state.incident) + " is closed" + (gone && gone.outcome ? ": " + escape(gone.outcome) : "") + ".</p>";
      } else {
        html += "<p class='bl-muted'>Select an incident in the queue or on the map.</p>";
      }
      if (state.incident) {
        var subject = incident || (known && known.incident);
        if (subject && mayActOn(subject)) {
          html += "<div class='bl-form'><input id='note-text' placeholder='Add a note to the log' maxlength='500' aria-label='Note'><button class='bl-button' data-note='1'>Add note</button></div>";
        }
        var timeline = (known && known.timeline) || [];
        html += "<ol class='bl-timeline'>" + timeline.map(function (t) {
          return "<li><span class='bl-num'>" + clock(t.event.time) + "</span> " + escape(timelineWords(t)) + "</li>";
        }).join("") + "</ol>";
      }
      keepingInputs(detail, html);

      var unit = state.unit && live.units.get(state.unit);
      var controls = "";
      if (!canAct) {
        controls = "<p class='bl-muted'>Read only: commanders and inspectors move units.</p>";
      } else if (unit) {
        controls += "<h3>" + escape(unit.callsign) + " <small>" + escape(unit.unit_type) + " · <span id='unit-in-status'>" + escape(inStatus(unit, now())) + "</span> · deployed " + escape(unit.bcu) + "</small></h3>";
        controls += STATUS_BUTTONS.map(function (s) {
          var current = s === unit.status;
          // The current status is inert (disabled), not a command the outage state may re-enable.
          return "<button class='bl-button'" + (current ? "" : " data-command='1'") + " data-status='" + s + "' aria-pressed='" + current + "'" + (current ? " disabled" : "") + ">" + statusWords(s) + "</button>";
        }).join("");
        if (unit.status === "en_route") { controls += "<button class='bl-button' data-command='1' data-status='on_scene'>on scene</button>"; }
        controls += "<div class='bl-redeploy'><select id='redeploy-bcu'>" + Object.keys(live.bcus || {}).sort().map(function (c) {
          return "<option" + (c === unit.bcu ? " selected" : "") + ">" + c + "</option>";
        }).join("") + "</select><input id='redeploy-reason' placeholder='Reason' maxlength='200'><button class='bl-button' data-command='1' data-redeploy='1'>Redeploy</button></div>";
        var ask = state.confirm;
        if (ask && ask.unit === unit.unit_id) {
          controls += "<div class='bl-confirm' role='alertdialog' aria-label='Confirm redeployment'><p>Send " + escape(unit.callsign) + " out of " + escape(unit.bcu) + " to " + escape(ask.bcu) +
            "? " + escape(unit.bcu) + " has " + ((live.bcus[unit.bcu] || {}).available || 0) + " units available now.</p>" +
            "<button class='bl-button bl-primary' data-command='1' data-confirm-redeploy='1'>Confirm redeploy</button><button class='bl-button' data-cancel-redeploy='1'>Cancel</button></div>";
        }
      } else {
        controls = "<p class='bl-muted'>Select a unit to change its status or redeploy it; then click an incident on the map to assign it.</p>";
      }
      keepingInputs(actions, aidRequests() + controls);
      session.syncCommands();
    }

    // Leaving one's own BCU (the inspector's, or the BCU this desk shows) takes a second
    // click: a unit sent away is a unit this BCU no longer has.
    function askRedeploy(unitId, bcu, reason) {
      var unit = live.units.get(unitId);
      if (!unit) { return; }
      var own = me.bcu || state.bcu;
      if (unit.bcu === own && bcu !== own) {
        state.confirm = { unit: unitId, bcu: bcu, reason: reason };
        renderPanel();
        return;
      }
      redeploy(unitId, bcu, reason);
    }

    function onPanelClick(event) {
      var target = event.target.closest("button");
      if (!target) { return; }
      if (target.dataset.show) { selectIncident(target.dataset.show); reselect(); }
      if (target.dataset.show || target.dataset.dismiss) { el("inspector-alert").classList.remove("bl-shown", "bl-flash"); return; }
      if (target.dataset.assign) { assign(target.dataset.assign, state.incident); }
      if (target.dataset.status) { setStatus(state.unit, target.dataset.status); }
      if (target.dataset.redeploy) { askRedeploy(state.unit, el("redeploy-bcu").value, el("redeploy-reason").value); }
      if (target.dataset.confirmRedeploy && state.confirm) {
        var ask = state.confirm;
        state.confirm = null;
        redeploy(ask.unit, ask.bcu, ask.reason);
        renderPanel();
      }
      if (target.dataset.cancelRedeploy) { state.confirm = null; renderPanel(); report(null, "Redeployment cancelled"); }
      if (target.dataset.aid) { requestAid(target.dataset.aid, state.incident, Number(target.dataset.eta)); }
      if (target.dataset.grant) { answerAid(target.dataset.grant, "grant"); }
      if (target.dataset.decline) { answerAid(target.dataset.decline, "decline"); }
      var id = state.incident;
      if (target.dataset.second && el("second-unit").value) { assign(el("second-unit").value, id); }
      if (target.dataset.arrive) { incidentCommand(id, "arrival", { unit_id: target.dataset.arrive }, callsignOf(target.dataset.arrive) + " on scene"); }
      if (target.dataset.regrade) { incidentCommand(id, "grade", { grade: el("regrade-grade").value }, "regraded " + el("regrade-grade").value); }
      if (target.dataset.close) {
        incidentCommand(id, "closure", { outcome: el("close-outcome").value }, "closed", function () { el("close-outcome") && (el("close-outcome").value = ""); });
      }
      if (target.dataset.note) {
        incidentCommand(id, "notes", { text: el("note-text").value }, "note added", function () { el("note-text") && (el("note-text").value = ""); });
      }
    }
    root.addEventListener("click", onPanelClick);

    // The result line: what was done, or why not, every time (the server's status and
    // reason, the network's words when nothing answered, or why it was not sent at all).
    function report(answer, done) {
      var result = el("result");
      if (!result) { return; }
      if (!answer) { result.className = "bl-result"; result.textContent = done; return; }
      var ok = answer.status === 200;
      var detail = answer.body && answer.body.detail;
      if (detail && typeof detail !== "string") { detail = JSON.stringify(detail); }
      result.className = "bl-result " + (ok ? "bl-ok" : "bl-fail");
      result.textContent = ok ? "✓ " + done + " (seq " + answer.body.seq + ")"
        : answer.status ? "✗ " + answer.status + ": " + (detail || "no reason given")
        : "✗ not sent: " + (detail || "no answer from the server");
    }

    // Every command goes through here: refused at once, with the reason, while the feed is
    // down or the session has ended (nothing would confirm it).
    function send(path, body, done, then) {
      var why = session.blocked();
      if (why) { report({ status: 0, body: { detail: why } }, done); return; }
      session.request("POST", path, body).then(function (answer) {
        if (answer.status === 200 && then) { then(answer); }
        report(answer, done);
      });
    }

    function callsign(unitId) { var u = live.units.get(unitId); return u ? u.callsign : unitId; }

    function requestAid(unitId, incidentId, eta) {
      var incident = incidentId && live.incidents.get(incidentId);
      if (!unitId || !incident) { return; }
      var reason = "nearest available unit (" + minutes(eta) + ") for " + incident.grade + "-grade " + incident.category + " in " + incident.bcu;
      send("/api/mutual-aid", { incident_id: incidentId, unit_id: unitId, reason: reason.slice(0, 200) }, "mutual aid requested for " + callsign(unitId));
    }
    function answerAid(requestId, how) {
      var aid = openAid().find(function (a) { return a.request_id === requestId; });
      var body = how === "decline" ? { reason: "declined by " + me.user } : undefined;
      var done = "mutual aid " + (how === "grant" ? "granted" : "declined") + (aid ? " (" + aid.callsign + ")" : "");
      send("/api/mutual-aid/" + encodeURIComponent(requestId) + "/" + how, body, done, function () {
        answered.add(requestId);
        renderPanel();
      });
    }

    function assign(unitId, incidentId) {
      if (!unitId || !incidentId) { return; }
      var incident = live.incidents.get(incidentId);
      send("/api/units/" + encodeURIComponent(unitId) + "/assignment", { incident_id: incidentId }, callsign(unitId) + " assigned to " + ((incident && incident.reference) || incidentId));
    }
    function incidentCommand(incidentId, action, body, done, after) {
      if (!incidentId) { return; }
      var incident = live.incidents.get(incidentId);
      var name = (incident && incident.reference) || incidentId;
      send("/api/incidents/" + encodeURIComponent(incidentId) + "/" + action, body, name + " " + done, after);
    }
    function setStatus(unitId, status) {
      if (!unitId) { return; }
      send("/api/units/" + encodeURIComponent(unitId) + "/status", { status: status }, callsign(unitId) + " now " + statusWords(status));
    }
    function redeploy(unitId, bcu, reason) {
      if (!unitId) { return; }
      send("/api/units/" + encodeURIComponent(unitId) + "/redeployment", { bcu: bcu, reason: reason }, callsign(unitId) + " redeployed to " + bcu);
    }

    function onKey(event) {
      var tag = (event.target && event.target.tagName) || "";
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || !canAct) { return; }
      var key = event.key.toLowerCase();
      if (key >= "1" && key <= "3") {
        var pick = suggestions()[Number(key) - 1];
        if (pick && mayCommand(pick.bcu)) { assign(pick.unit_id, state.incident); }
      } else if (key === "a" && state.unit) { setStatus(state.unit, "available"); }
      else if (key === "b" && state.unit) { setStatus(state.unit, "busy"); }
      else if (key === "r" && el("redeploy-reason")) { event.preventDefault(); el("redeploy-reason").focus(); }
      else if (key === "escape") { state.incident = null; state.unit = null; if (layers) { layers.highlight(null); } syncUrl(); queueApi && queueApi.deselectAll(); unitsApi && unitsApi.deselectAll(); renderPanel(); }
    }

    // The panel is drawn last, once every var above holds its value: drawn earlier, a store
    // already filled (coming from the wall, or back in history) met them undefined.
    renderPanel();
    if (state.incident) { loadTimeline(state.incident); }

    return {
      root: root,
      stop: function () {
        unsubscribe();
        B.pickBcu = null;
        timers.forEach(clearInterval);
        document.removeEventListener("keydown", onKey);
        root.removeEventListener("click", onPanelClick);
        if (mute) { mute.removeEventListener("click", toggleMute); }
      },
    };
  }

  B.screens.inspector = inspector;
})();
