// The wall's text: KPI tiles, incidents at risk, alerts (with Acknowledge), and per-BCU
// demand and capacity. Each builder returns elements made with h(); data is only text.
import { h } from "./dom.js";
import { breachCell, coverCell } from "./decisions.js";
import { clock, minutes, mmss, words } from "./format.js";

// Time left, or overdue marked hot.
export function countdown(seconds) {
  return seconds < 0
    ? [h("span", { class: "bl-num bl-hot" }, mmss(-seconds) + " overdue")]
    : [h("span", { class: "bl-num" }, mmss(seconds)), " left"];
}

// What needs a decision first: incidents nobody is on the way to.
export function kpiTiles(k) {
  const share = k.i_within_target_last_hour;
  const tiles = [
    ["Awaiting a unit", k.awaiting_unit, k.awaiting_unit > 0 ? "bl-hot" : ""],
    ["Open I", k.open_i, k.open_i > 0 ? "bl-warm" : ""],
    ["Open S", k.open_s, ""],
    ["I within 15 min (last hour)", share === null || share === undefined ? "–" : Math.round(share * 100) + "%", share !== null && share < 0.9 ? "bl-warm" : ""],
    ["Units available", k.available_units + " / " + k.on_duty_units, ""],
  ];
  return tiles.map(([label, value, hot]) => h("div", { class: "bl-kpi " + hot },
    h("span", { class: "bl-kpi-value" }, value), h("span", { class: "bl-kpi-label" }, label)));
}

const none = () => h("li", { class: "bl-muted" }, "None");

// Open incidents the advice says are at risk, with the nearest unit; elapsed: seconds since
// the advice was made, by event time.
export function atRiskItems(advice, incidents, elapsed) {
  const byId = {};
  advice.waiting.forEach((w) => { byId[w.incident_id] = w; });
  const risk = advice.at_risk.filter((id) => incidents.has(id) && incidents.get(id).status === "open").slice(0, 8);
  if (!risk.length) { return [none()]; }
  return risk.map((id) => {
    const w = byId[id], best = w.nearest[0];
    return h("li", { class: "bl-grade-" + w.grade }, h("b", {}, w.grade), " " + w.bcu + " · ",
      w.reference ? w.reference + " · " : "", words("category", w.category), " · ",
      countdown(w.seconds_left - elapsed), " · ", best ? best.callsign + " " + minutes(best.eta_s) : "no unit available");
  });
}

// Mutual aid requests (waiting for a commander: first), alerts nobody has taken yet (with
// Acknowledge for who may: mayAcknowledge(alert)), then those in hand, who and when.
// failed: alert key -> why its last acknowledgement was refused.
export function alertItems(advice, mayAcknowledge, failed) {
  const aid = (advice.mutual_aid || []).map((a) => h("li", { class: "bl-aid-alert" },
    "Mutual aid asked: " + a.callsign + " (" + a.from_bcu + ") for " + a.grade + " · " + words("category", a.category) + " in " + a.to_bcu + ", by " + a.by));
  const active = advice.alerts.slice(0, 8).map((a) => h("li", {}, a.text,
    mayAcknowledge(a) ? [" ", h("button", { class: "bl-button bl-ack", "data-command": "1", dataset: { ack: a.key } }, "Acknowledge")] : null,
    failed[a.key] ? [" ", h("span", { class: "bl-fail" }, "✗ " + failed[a.key])] : null));
  const seen = (advice.acknowledged || []).slice(0, 8).map((a) => h("li", { class: "bl-muted bl-acknowledged" },
    "✓ " + a.text + " · acknowledged by " + a.acknowledged_by + " at " + clock(a.acknowledged_at)));
  const items = aid.concat(active, seen);
  return items.length ? items : [none()];
}

// Demand now against the usual for this hour (GET /api/demand/usual's answer, or null).
export function usualSource(usual) {
  if (!usual) { return "usual: …"; }
  return usual.source === "log" ? "usual: from " + usual.weeks + " weeks of log" : "usual: calibration";
}

function demandCell(usual, code) {
  const d = usual && usual.bcus[code];
  if (!d) { return h("td", { class: "bl-demand" }, "–"); }
  // Above half again the usual reads as a surge: an arrow as well as the colour.
  const high = d.now > Math.max(1, d.usual * 1.5);
  return h("td", { class: "bl-demand" + (high ? " bl-hot" : "") }, (high ? "▲ " : "") + d.now + " / " + d.usual.toFixed(1));
}

// recs: the recommender's answer (advice.recommendations), or null until it has run.
export function bcuTable(bcus, usual, recs) {
  const rows = Object.keys(bcus || {}).sort().map((code) => {
    const c = bcus[code];
    const hot = c.load > 1 ? "bl-hot" : c.load > 0.5 ? "bl-warm" : null;
    return h("tr", { class: hot }, h("th", {}, code), h("td", {}, c.open_by_grade.I), h("td", {}, c.open_by_grade.S),
      h("td", {}, c.available + " / " + c.capacity), h("td", {}, c.load.toFixed(2)), demandCell(usual, code),
      coverCell(recs, code), breachCell(recs, code));
  });
  const heads = ["BCU", "Open I", "Open S", "Available", "Load", "Last hour / usual", "I cover", "Breaches next 30 min"];
  return [h("caption", {}, usualSource(usual)), h("thead", {}, h("tr", {}, heads.map((t) => h("th", {}, t)))), h("tbody", {}, rows)];
}

// The alerts list's content as data, to rebuild it only when it changed: a list rebuilt
// under the pointer would swallow a click.
export function alertsKey(advice, mayAcknowledge, failed) {
  return JSON.stringify([advice.mutual_aid || [], advice.alerts.slice(0, 8).map((a) => [a, mayAcknowledge(a), failed[a.key]]),
    (advice.acknowledged || []).slice(0, 8)]);
}
