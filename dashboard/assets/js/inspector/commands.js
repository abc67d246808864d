// The inspector's commands to the API, and the result line that says what was done or
// why not, every time (the server's status and reason, the network's words when nothing
// answered, or why it was not sent at all).
import { minutes, words } from "../format.js";
import { blocked } from "../feed.js";
import { request } from "../session.js";
import { live } from "../store.js";

export function report(answer, done) {
  const result = document.getElementById("result");
  if (!result) { return; }
  if (!answer) { result.className = "bl-result"; result.textContent = done; return; }
  const ok = answer.status === 200;
  let detail = answer.body && answer.body.detail;
  if (detail && typeof detail !== "string") { detail = JSON.stringify(detail); }
  result.className = "bl-result " + (ok ? "bl-ok" : "bl-fail");
  result.textContent = ok ? "✓ " + done + " (seq " + answer.body.seq + ")"
    : answer.status ? "✗ " + answer.status + ": " + (detail || "no reason given")
    : "✗ not sent: " + (detail || "no answer from the server");
}

// Every command goes through here: refused at once, with the reason, while the feed is
// down or the session has ended (nothing would confirm it). then(answer) on success.
export function send(path, body, done, then) {
  const why = blocked();
  if (why) { report({ status: 0, body: { detail: why } }, done); return; }
  request("POST", path, body).then((answer) => {
    if (answer.status === 200 && then) { then(answer); }
    report(answer, done);
  });
}

function callsign(unitId) { const u = live.units.get(unitId); return u ? u.callsign : unitId; }
const path = (kind, id, action) => "/api/" + kind + "/" + encodeURIComponent(id) + "/" + action;

const reference = (incidentId) => { const i = live.incidents.get(incidentId); return (i && i.reference) || incidentId; };

// A unit on its way to another call, or on scene at an E-grade one, is diverted (the rules
// allow it for an I-grade call): the result line says which call waits again.
export function assign(unitId, incidentId) {
  if (!unitId || !incidentId) { return; }
  const unit = live.units.get(unitId);
  const committed = unit && (unit.status === "en_route" || unit.status === "on_scene");
  const left = committed && unit.incident_id !== incidentId ? unit.incident_id : null;
  const done = left ? callsign(unitId) + " diverted to " + reference(incidentId) + " (" + reference(left) + " waits again)"
    : callsign(unitId) + " assigned to " + reference(incidentId);
  send(path("units", unitId, "assignment"), { incident_id: incidentId }, done);
}

export function incidentCommand(incidentId, action, body, done, after) {
  if (!incidentId) { return; }
  const incident = live.incidents.get(incidentId);
  send(path("incidents", incidentId, action), body, ((incident && incident.reference) || incidentId) + " " + done, after);
}

export function setStatus(unitId, status) {
  if (!unitId) { return; }
  send(path("units", unitId, "status"), { status }, callsign(unitId) + " now " + words("unit", status));
}

export function redeploy(unitId, bcu, reason) {
  if (!unitId) { return; }
  send(path("units", unitId, "redeployment"), { bcu, reason }, callsign(unitId) + " redeployed to " + bcu);
}

export function requestAid(unitId, incidentId, eta) {
  const incident = incidentId && live.incidents.get(incidentId);
  if (!unitId || !incident) { return; }
  const reason = "nearest available unit (" + minutes(eta) + ") for " + incident.grade + "-grade " + incident.category + " in " + incident.bcu;
  send("/api/mutual-aid", { incident_id: incidentId, unit_id: unitId, reason: reason.slice(0, 200) }, "mutual aid requested for " + callsign(unitId));
}

// how: "grant" or "decline"; aid: the request as the advice lists it (or undefined).
export function answerAid(requestId, how, aid, by, then) {
  const body = how === "decline" ? { reason: "declined by " + by } : undefined;
  const done = "mutual aid " + (how === "grant" ? "granted" : "declined") + (aid ? " (" + aid.callsign + ")" : "");
  send("/api/mutual-aid/" + encodeURIComponent(requestId) + "/" + how, body, done, then);
}

// A move-up turned down: the reason is what the ledger keeps, so one must be given.
export function dismissMove(adviceId, reason, then) {
  if (!reason) { report({ status: 0, body: { detail: "say why the move-up is dismissed" } }, "move-up dismissed"); return; }
  send("/api/recommendations/" + encodeURIComponent(adviceId) + "/dismissal", { reason: reason.slice(0, 200) }, "move-up dismissed", then);
}
