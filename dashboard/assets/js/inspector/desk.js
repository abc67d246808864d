// The inspector's desk: one BCU's queue and units (AG Grid), its map, advice, commands and
// the selected incident's detail. Where the inspector is (BCU, incident, unit) is in the
// address, so a reload keeps it.
import { outlookWords, recommendations, suggestionsFor } from "../decisions.js";
import { byId } from "../dom.js";
import { syncCommands } from "../feed.js";
import { LiveLayers } from "../livelayers.js";
import { findMap } from "../maps.js";
import { request } from "../session.js";
import { live, now, onChange } from "../store.js";
import { alertWatch, muteButton } from "./alerts.js";
import { answerAid, assign, dismissMove, incidentCommand, redeploy, report, requestAid, send, setStatus } from "./commands.js";
import { makeFilterControls, queueFilters } from "./filters.js";
import { grids } from "./grids.js";
import { actionsPane, incidentDetail, keepingInputs } from "./panel.js";
import { inStatus } from "./rows.js";

// Units that can be sent: a unit at the station can go, one on a break or in custody not.
const DISPATCHABLE = { available: true, at_station: true };

function startingPlace(root, me) {
  const known = (root.getAttribute("data-bcus") || "").split(",");
  const asked = new URLSearchParams(window.location.search);
  const askedBcu = (asked.get("bcu") || "").toUpperCase();
  return {
    bcu: known.indexOf(askedBcu) >= 0 ? askedBcu : me.bcu || "AW",
    incident: asked.get("incident") || null,
    unit: asked.get("unit") || null,
    confirm: null,  // a redeployment out of the desk's BCU waiting for a second click
  };
}

function syncUrl(state) {
  const params = new URLSearchParams(window.location.search);
  params.set("bcu", state.bcu);
  for (const [name, value] of [["incident", state.incident], ["unit", state.unit]]) {
    if (value) { params.set(name, value); } else { params.delete(name); }
  }
  const url = window.location.pathname + "?" + params.toString() + window.location.hash;
  if (url !== window.location.pathname + window.location.search + window.location.hash) {
    window.history.replaceState(window.history.state, "", url);
  }
}

// What the desk knows beyond the store, for the panel (panel.js) and the keys.
function knowledge(me, state) {
  const callsigns = {};  // every callsign seen, for units no longer on duty
  const answered = new Set();  // mutual aid requests this page answered
  const d = {
    me, state, canAct: me.role === "commander" || me.role === "inspector",
    timelines: {},  // id -> {seq, timeline, incident}
    contexts: {},  // id -> the context as the server cut it for this user, or {failed}
    answered,
    callsignOf(unitId) {
      const unit = live.units.get(unitId);
      if (unit) { callsigns[unitId] = unit.callsign; }
      return callsigns[unitId] || unitId;
    },
    waitingById() {
      const found = {};
      if (live.advice) { live.advice.waiting.forEach((w) => { found[w.incident_id] = w; }); }
      return found;
    },
    // The recommender's ranking for the selected incident, or the nearest by ETA.
    suggestions() {
      const gradeOf = (id) => (live.incidents.get(id) || {}).grade;
      return state.incident ? suggestionsFor(live.advice, state.incident, live.units, (u) => DISPATCHABLE[u.status], gradeOf) : [];
    },
    outlook() { return state.incident ? outlookWords(live.advice, state.incident) : null; },
    // Move-ups of units this user may command (the recommender's, in the live advice).
    moves() {
      const recs = recommendations(live.advice);
      return ((recs && recs.moves) || []).filter((m) => live.units.has(m.unit_id) && d.mayCommand(m.from_bcu));
    },
    // I-grade calls whose units all run late by their progress, with the unit to send as
    // well (the recommender's, in the live advice, which the server cuts to this user's BCU).
    backups() {
      const recs = recommendations(live.advice);
      return ((recs && recs.backups) || []).filter((b) => live.incidents.has(b.incident_id));
    },
    // As the server decides it (GET /api/me: commands is all, own_bcu or none).
    mayCommand(bcu) { return me.commands === "all" || (me.commands === "own_bcu" && bcu === me.bcu); },
    // Answered requests stay hidden until the advice (recomputed on the next events) drops them.
    openAid() { return ((live.advice && live.advice.mutual_aid) || []).filter((a) => !answered.has(a.request_id)); },
    // Units that could go as well: available in the incident's BCU, nearest first (straight
    // line: the server's suggestions cover waiting incidents only).
    secondUnits(incident) {
      const found = [];
      live.units.forEach((u) => {
        if (DISPATCHABLE[u.status] && u.bcu === incident.bcu) {
          const dy = u.lat - incident.lat, dx = (u.lon - incident.lon) * Math.cos(incident.lat * Math.PI / 180);
          found.push([dx * dx + dy * dy, u]);
        }
      });
      found.sort((a, b) => a[0] - b[0]);
      return found.slice(0, 8).map((f) => f[1]);
    },
  };
  return d;
}

export function inspector(root, me) {
  const state = startingPlace(root, me);
  const d = knowledge(me, state);
  const filters = queueFilters();
  const alerts = alertWatch();
  let layers = null;

  function renderPanel() {
    const detail = byId("detail"), actions = byId("actions");
    if (!detail || !actions) { return; }
    keepingInputs(detail, incidentDetail(d));
    keepingInputs(actions, actionsPane(d));
    syncCommands();
  }

  // id -> {seq, timeline, incident}; an answer older than the one shown is dropped (frames
  // can send several requests on their way at once).
  function loadTimeline(id) {
    request("GET", "/api/incidents/" + encodeURIComponent(id)).then((answer) => {
      if (answer.status !== 200) { return; }
      const shown = d.timelines[id];
      if (shown && shown.seq > answer.body.seq && !live.replay) { return; }
      // In a replay, the log as it stood at the replayed moment, not what came after.
      const body = live.replay
        ? { seq: live.seq, timeline: answer.body.timeline.filter((t) => t.seq <= live.seq), incident: live.incidents.get(id) || null }
        : answer.body;
      d.timelines[id] = { seq: body.seq, timeline: body.timeline, incident: body.incident };
      // A person linked or unlinked since the context was read: read it again.
      const known = d.contexts[id];
      if (known && known.seq !== undefined && body.timeline.some((t) => t.seq > known.seq && t.event.type.indexOf("incident.person_") === 0)) { loadContext(id); }
      if (state.incident === id) { renderPanel(); }
    });
  }

  // Each read is a look the server audits: once per selection, and again only when a
  // person is linked or unlinked. Not in a replay (the context is about now).
  function loadContext(id) {
    if (live.replay) { return; }
    request("GET", "/api/incidents/" + encodeURIComponent(id) + "/context").then((answer) => {
      d.contexts[id] = answer.status === 200 && answer.body && answer.body.counts ? answer.body : { failed: answer.status === 404 ? "the call has left the live picture" : "not available (" + answer.status + ")" };
      if (state.incident === id) { renderPanel(); }
    });
  }

  function selectIncident(id) {
    if (state.incident === id) { return; }
    state.incident = id;
    if (layers) { layers.highlight(id); }
    syncUrl(state);
    renderPanel();
    loadTimeline(id);
    loadContext(id);
  }

  function selectUnit(id) {
    if (state.unit === id) { return; }
    state.unit = id;
    state.confirm = null;
    syncUrl(state);
    renderPanel();
  }

  const tables = grids(state, filters, { selectIncident, selectUnit, beforeRefresh: (t) => alerts.check(state.bcu, t) });

  function render(change) {
    if (layers) { layers.apply(change); }
    tables.refresh(change.reset || change.advice, change);
    // The timeline follows the feed: whatever touched the incident is in its log now.
    if (state.incident && (change.incidents.has(state.incident) || change.reset)) { loadTimeline(state.incident); }
    if ((state.incident && change.incidents.has(state.incident)) || (state.unit && change.units.has(state.unit)) || change.advice || change.reset) {
      renderPanel();
    }
  }

  function onMapClick(kind, id) {
    if (kind === "unit") { selectUnit(id); tables.showSelection(); return; }
    const unit = state.unit && live.units.get(state.unit);
    if (unit && d.canAct && DISPATCHABLE[unit.status]) { assign(state.unit, id); return; }
    selectIncident(id);
    tables.showSelection();
  }

  // Leaving one's own BCU (the inspector's, or the BCU this desk shows) takes a second
  // click: a unit sent away is a unit this BCU no longer has.
  function askRedeploy(unitId, bcu, reason) {
    const unit = live.units.get(unitId);
    if (!unit) { return; }
    const own = me.bcu || state.bcu;
    if (unit.bcu === own && bcu !== own) {
      const ask = { unit: unitId, bcu, reason, whatif: null };
      state.confirm = ask;
      renderPanel();
      // The cover before and after, shown beside the question (nothing is changed by asking).
      request("POST", "/api/whatif", { unit_id: unitId, bcu }).then((answer) => {
        if (state.confirm !== ask) { return; }
        ask.whatif = answer.status === 200 ? answer.body : { failed: answer.status + ": " + ((answer.body && answer.body.detail) || "no answer") };
        renderPanel();
      });
      return;
    }
    redeploy(unitId, bcu, reason);
  }

  // A move-up taken: recorded first; one into another BCU then asks to redeploy the unit.
  function acceptMove(data) {
    send("/api/recommendations/" + encodeURIComponent(data.acceptMove) + "/acceptance", undefined, "move-up accepted", () => {
      const unit = live.units.get(data.moveUnit);
      selectUnit(data.moveUnit);
      tables.showSelection();
      if (unit && unit.bcu !== data.moveBcu) { askRedeploy(data.moveUnit, data.moveBcu, data.moveReason); }
    });
  }

  function clearInput(id) { return () => { const input = byId(id); if (input) { input.value = ""; } }; }

  function onPanelClick(event) {
    const target = event.target.closest("button");
    if (!target) { return; }
    const data = target.dataset, id = state.incident;
    if (data.show) { selectIncident(data.show); tables.showSelection(); }
    if (data.show || data.dismiss) { byId("inspector-alert").classList.remove("bl-shown", "bl-flash"); return; }
    if (data.assign) { assign(data.assign, data.assignTo || id); }
    if (data.status) { setStatus(state.unit, data.status); }
    if (data.redeploy) { askRedeploy(state.unit, byId("redeploy-bcu").value, byId("redeploy-reason").value); }
    if (data.confirmRedeploy && state.confirm) {
      const ask = state.confirm;
      state.confirm = null;
      redeploy(ask.unit, ask.bcu, ask.reason);
      renderPanel();
    }
    if (data.cancelRedeploy) { state.confirm = null; renderPanel(); report(null, "Redeployment cancelled"); }
    if (data.aid) { requestAid(data.aid, id, Number(data.eta)); }
    if (data.pickUnit) { selectUnit(data.pickUnit); tables.showSelection(); }
    if (data.acceptMove) { acceptMove(data); }
    if (data.dismissMove) { dismissMove(data.dismissMove, byId("move-reason").value.trim(), clearInput("move-reason")); }
    for (const how of ["grant", "decline"]) {
      if (data[how]) {
        const requestId = data[how];
        const aid = d.openAid().find((a) => a.request_id === requestId);
        answerAid(requestId, how, aid, me.user, () => { d.answered.add(requestId); renderPanel(); });
      }
    }
    if (data.second && byId("second-unit").value) { assign(byId("second-unit").value, id); }
    if (data.arrive) { incidentCommand(id, "arrival", { unit_id: data.arrive }, d.callsignOf(data.arrive) + " on scene"); }
    if (data.regrade) { incidentCommand(id, "grade", { grade: byId("regrade-grade").value }, "regraded " + byId("regrade-grade").value); }
    if (data.close) { incidentCommand(id, "closure", { outcome: byId("close-outcome").value }, "closed", clearInput("close-outcome")); }
    if (data.note) { incidentCommand(id, "notes", { text: byId("note-text").value }, "note added", clearInput("note-text")); }
  }

  function onKey(event) {
    const tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || !d.canAct) { return; }
    const key = event.key.toLowerCase();
    if (key >= "1" && key <= "3") {
      const pick = d.suggestions()[Number(key) - 1];
      if (pick && d.mayCommand(pick.bcu)) { assign(pick.unit_id, state.incident); }
    } else if (key === "a" && state.unit) { setStatus(state.unit, "available"); }
    else if (key === "b" && state.unit) { setStatus(state.unit, "busy"); }
    else if (key === "r" && byId("redeploy-reason")) { event.preventDefault(); byId("redeploy-reason").focus(); }
    else if (key === "escape") {
      state.incident = null;
      state.unit = null;
      if (layers) { layers.highlight(null); }
      syncUrl(state);
      tables.deselect();
      renderPanel();
    }
  }

  // The BCU picker is a Dash dropdown; a clientside callback (dashboard/inspector.py)
  // announces its value as a "bluelamp:bcu" event.
  function onPickBcu(event) {
    const code = event.detail;
    if (!code || code === state.bcu) { return; }
    state.bcu = code;
    alerts.forget();
    syncUrl(state);
    tables.refresh(true);
    if (layers) { layers.focusBcu(state.bcu); }
  }

  const unsubscribe = onChange(render);
  const timers = [setInterval(() => { tables.refresh(true); tickInStatus(); }, 5000)];
  function tickInStatus() {
    const span = byId("unit-in-status"), unit = state.unit && live.units.get(state.unit);
    if (span && unit) { span.textContent = inStatus(unit, now()); }
  }
  document.addEventListener("bluelamp:bcu", onPickBcu);
  dash_clientside.set_props("inspector-bcu", { value: state.bcu });
  findMap("inspector-map").then((map) => {
    layers = new LiveLayers(map, { summaries: true, lines: true, onClick: onMapClick });
    layers.highlight(state.incident);
    layers.apply({ reset: true });
    layers.focusBcu(state.bcu);
  });
  document.addEventListener("keydown", onKey);
  makeFilterControls(byId("queue-filters"), filters, () => tables.filtered());
  const stopMute = muteButton();
  syncUrl(state);
  root.addEventListener("click", onPanelClick);
  renderPanel();
  if (state.incident) { loadTimeline(state.incident); loadContext(state.incident); }

  return {
    root,
    stop() {
      unsubscribe();
      timers.forEach(clearInterval);
      document.removeEventListener("bluelamp:bcu", onPickBcu);
      document.removeEventListener("keydown", onKey);
      root.removeEventListener("click", onPanelClick);
      stopMute();
    },
  };
}
