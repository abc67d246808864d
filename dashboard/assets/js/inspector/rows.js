// The inspector's grid rows: an incident as a queue row, a unit as a units row, in the
// words people use (codes kept in *_code for filters and row classes), and a frame's
// changes applied to a grid as one transaction.
import { minutes, mmss, NO_TARGET, warningWords, words } from "../format.js";
import { GRADE_ORDER } from "../palette.js";

export function queueRow(incident, waiting, t) {
  const w = waiting[incident.incident_id];
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
    nearest: w ? w.nearest.map((n) => n.callsign + " " + minutes(n.eta_s)).join(", ") : "",
    borough: incident.borough,
    warnings: warningWords(incident.warnings),
  };
}

// "busy 23 min", "custody 2 h 05 min": time in status by event time, whole minutes.
export function inStatus(unit, t) {
  const said = words("unit", unit.status);
  if (!unit.status_since) { return said; }
  const m = Math.max(0, Math.floor((t - Date.parse(unit.status_since)) / 60000));
  const h = Math.floor(m / 60);
  return said + " " + (h ? h + " h " + String(m % 60).padStart(2, "0") + " min" : m + " min");
}

export function unitRow(unit, t) {
  return {
    unit_id: unit.unit_id, callsign: unit.callsign, unit_type: unit.unit_type,
    status: words("unit", unit.status), status_code: unit.status, in_status: inStatus(unit, t),
    incident_id: unit.incident_id || "", home_bcu: unit.home_bcu,
    fix_age: mmss((t - Date.parse(unit.fix_at)) / 1000),
  };
}

// The rows of ids (from store) that changed: added, updated or removed in one transaction.
// mine(item): whether it belongs in this grid; row(item): its row; key: the rows' id field.
export function transact(api, ids, store, mine, row, key) {
  const add = [], update = [], remove = [];
  ids.forEach((id) => {
    const item = store.get(id);
    const shown = api.getRowNode(id);
    if (item && mine(item)) { (shown ? update : add).push(row(item)); }
    else if (shown) { remove.push({ [key]: id }); }
  });
  if (add.length || update.length || remove.length) { api.applyTransaction({ add, update, remove }); }
}
