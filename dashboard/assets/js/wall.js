// The wall screen: KPIs, incidents at risk, alerts, per-BCU demand and capacity, the live
// map; kept current from the store, the map marker by marker.
import { byId, fill } from "./dom.js";
import { blocked, syncCommands } from "./feed.js";
import { LiveLayers } from "./livelayers.js";
import { findMap } from "./maps.js";
import { request } from "./session.js";
import { live, now, onChange } from "./store.js";
import { moveItems, recommendations } from "./decisions.js";
import { alertItems, alertsKey, atRiskItems, bcuTable, kpiTiles } from "./wallboard.js";

// Visit each BCU in turn (a wall with nobody at it), then all of London.
function cycle(map, seconds) {
  const outlines = [];
  map.eachLayer((layer) => {
    if (layer.feature && layer.feature.properties && layer.feature.properties.code && layer.getBounds) { outlines.push(layer); }
  });
  outlines.sort((a, b) => (a.feature.properties.code < b.feature.properties.code ? -1 : 1));
  let i = 0;
  return setInterval(() => {
    if (i === outlines.length) { map.fitBounds(L.featureGroup(outlines).getBounds()); i = 0; return; }
    map.fitBounds(outlines[i++].getBounds(), { padding: [20, 20] });
  }, seconds * 1000);
}

export function wall(root, me) {
  const params = new URLSearchParams(window.location.search);
  let layers = null;
  const timers = [];
  let textTimer = null;
  let textDue = 0;
  let usual = null;
  let alertsShown = null;
  const ackFailed = {};  // alert key -> why the last acknowledgement was refused

  const mayAcknowledge = (alert) => me.role === "commander" || (me.role === "inspector" && alert.bcu === me.bcu);

  function renderKpis() {
    if (live.kpis) { fill(byId("kpis"), kpiTiles(live.kpis)); }
  }

  function renderLists() {
    const advice = live.advice;
    if (advice) {
      const elapsed = advice.as_of ? (now() - Date.parse(advice.as_of)) / 1000 : 0;
      fill(byId("at-risk"), atRiskItems(advice, live.incidents, elapsed));
      const key = alertsKey(advice, mayAcknowledge, ackFailed);
      if (key !== alertsShown && byId("alerts")) {
        alertsShown = key;
        fill(byId("alerts"), alertItems(advice, mayAcknowledge, ackFailed));
        syncCommands();
      }
    }
    const recs = recommendations(advice);
    // The usual for this hour is about now: a replay of another hour shows none.
    fill(byId("bcu-table"), bcuTable(live.bcus, live.replay ? null : usual, recs));
    fill(byId("moves"), moveItems(recs));
  }

  // Markers follow every frame; the text around them at most four times a second (a
  // wall is read from metres away, and each rebuild costs layout on every screen).
  function render(change) {
    if (layers) { layers.apply(change); }
    const t = performance.now();
    if (change.reset || change.advice || t >= textDue) {
      textDue = t + 250;
      renderKpis();
      renderLists();
    } else if (!textTimer) {
      textTimer = setTimeout(() => { textTimer = null; textDue = 0; renderKpis(); renderLists(); }, textDue - t);
    }
  }

  // Demand now against the usual for this hour: asked for once a minute, since "usual"
  // changes by the hour and "now" is a count of a whole hour.
  function loadUsual() {
    request("GET", "/api/demand/usual").then((answer) => {
      if (answer.status !== 200) { return; }
      usual = answer.body;
      renderLists();
    });
  }

  function onAlertClick(event) {
    const button = event.target.closest("button[data-ack]");
    if (!button) { return; }
    const key = button.dataset.ack;
    if (blocked()) { return; }  // a replay, a lost feed: the button says why (feed.js)
    button.disabled = true;
    request("POST", "/api/alerts/acknowledgement", { key }).then((answer) => {
      if (answer.status === 200) { delete ackFailed[key]; } else { ackFailed[key] = answer.status + ": " + (answer.body.detail || "failed"); button.disabled = false; }
      renderLists();
    });
  }

  const unsubscribe = onChange(render);
  findMap("map").then((map) => {
    layers = new LiveLayers(map, { summaries: params.get("privacy") === "off" });
    layers.apply({ reset: true });
    const every = parseFloat(params.get("cycle"));
    if (every > 0) { timers.push(cycle(map, every)); }
  });
  timers.push(setInterval(renderLists, 5000));  // ages and countdowns
  loadUsual();
  timers.push(setInterval(loadUsual, 60000));
  root.addEventListener("click", onAlertClick);
  render({ reset: true, incidents: new Set(), units: new Set(), advice: true });

  return {
    root,
    stop() {
      unsubscribe();
      timers.forEach(clearInterval);
      if (textTimer) { clearTimeout(textTimer); }
      root.removeEventListener("click", onAlertClick);
    },
  };
}
