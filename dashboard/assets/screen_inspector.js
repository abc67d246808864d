// The inspector's desk: one BCU's queue and units, advice, commands, incident detail.
(function () {
  "use strict";
  var B = window.bluelamp;
  var ui = B.ui;
  var live = B.live;
  var session = B.session;
  var el = ui.el, escape = ui.escape, mmss = ui.mmss, minutes = ui.minutes, now = ui.now, clock = ui.clock, findMap = ui.findMap, GRADE_ORDER = ui.GRADE_ORDER, NO_TARGET = ui.NO_TARGET;

  function inspector(root, me) {
    var canAct = me.role === "commander" || me.role === "inspector";
    var state = { bcu: me.bcu || "AW", incident: null, unit: null };
    var layers = null;
    var queueApi = null, unitsApi = null;
    var unsubscribe = live.onChange(render);
    var timers = [setInterval(function () { refreshRows(true); tickInStatus(); }, 5000)];

    // The BCU picker is a Dash dropdown; a clientside callback hands its value here.
    B.pickBcu = function (code) {
      if (!code || code === state.bcu) { return; }
      state.bcu = code;
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
        grade: incident.grade,
        category: incident.category,
        status: incident.status,
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

    function statusWords(status) { return String(status || "").replace(/_/g, " "); }
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
        status: unit.status, in_status: inStatus(unit, t), incident_id: unit.incident_id || "", home_bcu: unit.home_bcu,
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
      renderPanel();
      loadTimeline(id);
    }

    function selectUnit(id) {
      if (state.unit === id) { return; }
      state.unit = id;
      state.confirm = null;
      renderPanel();
    }

    // id -> {seq, timeline, incident}; an answer older than the one shown is dropped (frames
    // can send several requests on their way at once).
    function words(value) { return ui.text(value).replace(/_/g, " "); }  // on_scene: on scene

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
        "incident.created": function () { return "created · grade " + d.grade + " · " + words(d.category); },
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
        if (u.status === "available" && u.bcu === incident.bcu) {
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

    function incidentActions(incident) {
      var html = "";
      if (incident.status === "open") {
        html += "<div class='bl-suggestions'>" + suggestions().map(function (n, i) {
          return "<button class='bl-button bl-primary' data-assign='" + escape(n.unit_id) + "'>" + (i + 1) + " · Assign " + escape(n.callsign) + " (" + minutes(n.eta_s) + ")</button>";
        }).join("") + "</div>";
      } else {
        var more = secondUnits(incident);
        html += "<div class='bl-form' data-form='second'><select id='second-unit' aria-label='Another unit'>" + more.map(function (u) {
          return "<option value='" + escape(u.unit_id) + "'>" + escape(u.callsign) + " · " + escape(u.unit_type) + "</option>";
        }).join("") + "</select><button class='bl-button' data-second='1'" + (more.length ? "" : " disabled") + ">Send another unit</button></div>";
      }
      html += "<div class='bl-arrivals'>" + incident.units.filter(function (id) {
        var u = live.units.get(id);
        return u && u.status === "en_route";
      }).map(function (id) {
        return "<button class='bl-button' data-arrive='" + escape(id) + "'>" + escape(callsignOf(id)) + " on scene</button>";
      }).join("") + "</div>";
      html += "<div class='bl-form'><select id='regrade-grade' aria-label='New grade'>" + ["I", "S", "E", "R"].filter(function (g) { return g !== incident.grade; }).map(function (g) {
        return "<option>" + g + "</option>";
      }).join("") + "</select><button class='bl-button' data-regrade='1'>Regrade</button></div>";
      html += "<div class='bl-form'><input id='close-outcome' placeholder='Outcome' maxlength='200' aria-label='Outcome'><button class='bl-button' data-close='1'>Close incident</button></div>";
      return html;
    }

    function renderPanel() {
      var detail = el("detail"), actions = el("actions");
      if (!detail || !actions) { return; }
      var incident = state.incident && live.incidents.get(state.incident);
      var known = state.incident && timelines[state.incident];
      var html = "";
      if (incident) {
        html += "<h2>" + escape(incident.grade) + " · " + escape(words(incident.category)) + " <small class='bl-reference'>" + escape(incident.reference || incident.incident_id) + "</small></h2>";
        if (incident.address) { html += "<p class='bl-address'>" + escape(incident.address) + "</p>"; }
        html += "<p>" + escape(incident.borough) + " (" + escape(incident.bcu) + ") · " + escape(words(incident.status)) + " · created " + clock(incident.created_at) +
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
          return "<button class='bl-button' data-status='" + s + "' aria-pressed='" + current + "'" + (current ? " disabled" : "") + ">" + statusWords(s) + "</button>";
        }).join("");
        if (unit.status === "en_route") { controls += "<button class='bl-button' data-status='on_scene'>on scene</button>"; }
        controls += "<div class='bl-redeploy'><select id='redeploy-bcu'>" + Object.keys(live.bcus || {}).sort().map(function (c) {
          return "<option" + (c === unit.bcu ? " selected" : "") + ">" + c + "</option>";
        }).join("") + "</select><input id='redeploy-reason' placeholder='Reason' maxlength='200'><button class='bl-button' data-redeploy='1'>Redeploy</button></div>";
        var ask = state.confirm;
        if (ask && ask.unit === unit.unit_id) {
          controls += "<div class='bl-confirm' role='alertdialog' aria-label='Confirm redeployment'><p>Send " + escape(unit.callsign) + " out of " + escape(unit.bcu) + " to " + escape(ask.bcu) +
            "? " + escape(unit.bcu) + " has " + ((live.bcus[unit.bcu] || {}).available || 0) + " units available now.</p>" +
            "<button class='bl-button bl-primary' data-confirm-redeploy='1'>Confirm redeploy</button><button class='bl-button' data-cancel-redeploy='1'>Cancel</button></div>";
        }
      } else {
        controls = "<p class='bl-muted'>Select a unit to change its status or redeploy it; then click an incident on the map to assign it.</p>";
      }
      keepingInputs(actions, controls);
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

    function report(answer, done) {
      var result = el("result");
      if (!result) { return; }
      if (!answer) { result.className = "bl-result"; result.textContent = done; return; }
      var ok = answer.status === 200;
      result.className = "bl-result " + (ok ? "bl-ok" : "bl-fail");
      result.textContent = ok ? "✓ " + done + " (seq " + answer.body.seq + ")" : "✗ " + answer.status + ": " + (answer.body.detail || "failed");
    }

    function callsign(unitId) { var u = live.units.get(unitId); return u ? u.callsign : unitId; }

    function assign(unitId, incidentId) {
      if (!unitId || !incidentId) { return; }
      session.request("POST", "/api/units/" + encodeURIComponent(unitId) + "/assignment", { incident_id: incidentId })
        .then(function (answer) {
          var incident = live.incidents.get(incidentId);
          report(answer, callsign(unitId) + " assigned to " + ((incident && incident.reference) || incidentId));
        });
    }
    function incidentCommand(incidentId, action, body, done, after) {
      if (!incidentId) { return; }
      var incident = live.incidents.get(incidentId);
      var name = (incident && incident.reference) || incidentId;
      session.request("POST", "/api/incidents/" + encodeURIComponent(incidentId) + "/" + action, body)
        .then(function (answer) {
          report(answer, name + " " + done);
          if (answer.status === 200 && after) { after(); }
        });
    }
    function setStatus(unitId, status) {
      if (!unitId) { return; }
      session.request("POST", "/api/units/" + encodeURIComponent(unitId) + "/status", { status: status })
        .then(function (answer) { report(answer, callsign(unitId) + " now " + statusWords(status)); });
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
      else if (key === "escape") { state.incident = null; state.unit = null; if (layers) { layers.highlight(null); } queueApi && queueApi.deselectAll(); unitsApi && unitsApi.deselectAll(); renderPanel(); }
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

  B.screens.inspector = inspector;
})();
