// Decision support as the screens show it (GET /api/recommendations/moves, carried in the
// live advice as advice.recommendations): units ranked for a call with their reasons, the
// call's outlook, move-ups, expected breaches and I-grade cover per BCU, and a what-if's
// before and after. Builders return elements made with h(); data is only ever text.
import { h } from "./dom.js";
import { minutes } from "./format.js";

const percent = (share) => Math.round(share * 100) + "%";

// The grades a busy unit may leave its report for (stream/sending.py's BREAKS_OFF_FOR; the
// recommender offers one for an S-grade call only when no free unit is in time).
const BREAKS_OFF_FOR = ["I", "S"];
// A unit on its way to a lesser call, or on scene at an E- or R-grade one, may be diverted
// to an I-grade call (stream/sending.py's may_divert and LEAVES_SCENE_OF).
const LEAVES_SCENE_OF = ["E", "R"];

// The recommender's answer, or null until it has run.
export function recommendations(advice) { return (advice && advice.recommendations) || null; }

// The recommender's entry for one call (outlook and suggestions), or null.
export function callAdvice(advice, incidentId) {
  const recs = recommendations(advice);
  return (recs && recs.calls.find((c) => c.incident_id === incidentId)) || null;
}

// Units to offer for a waiting call, best first: the recommender's ranking (units still
// free to send, busy ones that would break off for an I- or S-grade call, or ones still on
// their way to, or at, the call they would be diverted from), else the nearest by ETA from
// the advice.
// units: the store's units by id; free(unit) says whether a unit can be sent now;
// gradeOf(incidentId) the grade of a call, if known (a scene is left only for one it may be).
export function suggestionsFor(advice, incidentId, units, free, gradeOf = () => null) {
  const divertable = (unit, left) => unit.incident_id === left && (unit.status === "en_route"
    || (unit.status === "on_scene" && LEAVES_SCENE_OF.includes(gradeOf(left))));
  const call = callAdvice(advice, incidentId);
  if (call) {
    return call.suggestions.filter((s) => {
      const unit = units.get(s.unit_id);
      if (!unit) { return false; }
      if (s.diverted_from) { return divertable(unit, s.diverted_from); }
      return free(unit) || (BREAKS_OFF_FOR.includes(call.grade) && unit.status === "busy");
    }).slice(0, 3);
  }
  const waiting = advice && advice.waiting.find((w) => w.incident_id === incidentId);
  return waiting ? waiting.nearest : [];
}

// "breaches unless a unit is sent within 4 min", or null.
export function outlookWords(advice, incidentId) {
  const call = callAdvice(advice, incidentId);
  return call && call.words ? call.words : null;
}

// Why a suggested unit, in one line: its reasons after the first (the ETA is on the button).
export function reasonsLine(suggestion) {
  return (suggestion.reasons || []).join(" · ");
}

// Per BCU: expected breaches in the next 30 minutes and the covered share of I-grade demand.
export function breachCell(recs, code) {
  const value = recs && recs.expected_breaches[code];
  if (value === undefined || value === null) { return h("td", { class: "bl-breaches" }, "–"); }
  const hot = value >= 1 ? " bl-hot" : value >= 0.5 ? " bl-warm" : "";
  return h("td", { class: "bl-breaches" + hot }, value.toFixed(1));
}

export function coverCell(recs, code) {
  const value = recs && recs.cover[code];
  if (value === undefined || value === null) { return h("td", { class: "bl-cover" }, "–"); }
  const hot = value < 0.5 ? " bl-hot" : value < 0.75 ? " bl-warm" : "";
  return h("td", { class: "bl-cover" + hot }, percent(value));
}

// One move-up in words: "AW11 → stand by in Camden (CN) · +0.31 I-grade calls/h in reach ·
// CN cover 62% → 78% · 9 min drive".
export function moveWords(move) {
  return move.callsign + " → stand by in " + move.borough + " (" + move.to_bcu + ") · +" + move.gain.toFixed(2) +
    " I-grade calls/h in reach · " + move.to_bcu + " cover " + percent(move.cover_before) + " → " +
    percent(move.cover_after) + " · " + minutes(move.drive_s) + " drive";
}

// The wall's pending move-ups.
export function moveItems(recs) {
  const moves = (recs && recs.moves) || [];
  if (!moves.length) { return [h("li", { class: "bl-muted" }, recs ? "None proposed" : "…")]; }
  return moves.map((m) => h("li", {}, moveWords(m)));
}

// A what-if's answer (POST /api/whatif) as lines: "AW cover 84% → 71%".
export function whatIfLines(answer) {
  if (!answer) { return ["working out the cover before and after…"]; }
  return Object.keys(answer.bcus).sort().map((code) => {
    const s = answer.bcus[code];
    return code + " I-grade cover " + percent(s.before) + " → " + percent(s.after);
  });
}
