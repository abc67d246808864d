// The inspector's side panel: the selected incident (detail, suggestions, actions, its
// log) and the selected unit's controls, built from the store and what the desk knows
// (desk.js): d = {me, state, canAct, timelines, callsignOf, suggestions, outlook, moves,
// backups, openAid, mayCommand, secondUnits}. Rebuilt on each change that touches it, keeping what is typed.
import { moveWords, reasonsLine, whatIfLines } from "../decisions.js";
import { h } from "../dom.js";
import { clock, day, minutes, words } from "../format.js";
import { live, now } from "../store.js";
import { inStatus } from "./rows.js";

// What a unit may be set to from the panel (en route and on scene come from incidents).
export const STATUS_BUTTONS = ["available", "at_station", "busy", "refreshment", "custody", "off_duty"];

const button = (attributes, ...label) => h("button", { class: "bl-button", ...attributes }, ...label);
const command = (data, ...label) => button({ "data-command": "1", dataset: data }, ...label);

// One line of an incident's log in the words a control room uses.
export function timelineWords(record, callsignOf) {
  const e = record.event, d = e.data;
  const say = {
    "incident.created": () => "created · grade " + d.grade + " · " + words("category", d.category),
    "incident.graded": () => "regraded " + d.grade,
    "incident.assigned": () => "assigned " + callsignOf(d.unit_id),
    "incident.arrived": () => callsignOf(d.unit_id) + " on scene",
    "incident.closed": () => "closed: " + d.outcome,
    "incident.noted": () => "note: " + d.text,
    "alert.acknowledged": () => "alert acknowledged",
    "advice.offered": () => "advised: " + (d.kind === "backup" ? "send as back-up " : "send ") + callsignOf(d.unit_id) + (d.eta_s ? " (" + minutes(d.eta_s) + ")" : ""),
    // Who, only in "What we know here" (asked for and audited): the log says the role.
    "incident.person_linked": () => words("role", d.role) + " linked",
    "incident.person_unlinked": () => words("role", d.role) + " unlinked",
  }[e.type];
  const line = say ? say() : e.type.replace(/[._]/g, " ");
  const by = e.source.indexOf("bluelamp-api/") === 0 ? e.source.slice("bluelamp-api/".length) : d.by;
  return line + (by ? " · " + by : "");
}

// One suggested unit: "Assign" if this user may command it ("Divert" for a unit on its way
// to a lower-grade call, diverted_from: the same assignment, which the rules accept for an
// I-grade call and which leaves that call waiting again); otherwise marked as another
// BCU's, with "Request mutual aid" (or the request already waiting).
// The recommender's reasons (ETA against the target, the cover its going costs, a
// diversion) follow each one in small type.
function suggestion(d, n, i, incident) {
  const why = n.reasons ? h("small", { class: "bl-reasons" }, reasonsLine(n)) : null;
  return h("div", { class: "bl-suggestion-row" }, offer(d, n, i, incident), why);
}

function offer(d, n, i, incident) {
  const where = " (" + n.bcu + ", " + minutes(n.eta_s) + ")";
  if (d.mayCommand(n.bcu)) {
    if (!n.diverted_from) {
      return h("button", { class: "bl-button bl-primary", "data-command": "1", dataset: { assign: n.unit_id } }, (i + 1) + " · Assign " + n.callsign + where);
    }
    const left = live.incidents.get(n.diverted_from);
    return [h("button", { class: "bl-button bl-primary bl-divert", "data-command": "1", dataset: { assign: n.unit_id } }, (i + 1) + " · Divert " + n.callsign + where),
      h("em", { class: "bl-divert-why" }, " from " + ((left && left.reference) || n.diverted_from) + ", which waits again")];
  }
  const asked = d.openAid().some((a) => a.unit_id === n.unit_id && a.incident_id === incident.incident_id);
  return h("span", { class: "bl-suggestion bl-foreign" },
    (i + 1) + " · " + n.callsign + where + " · " + n.bcu + " unit, not yours to assign ",
    asked ? h("em", { class: "bl-muted" }, "mutual aid requested: waiting for a commander")
      : command({ aid: n.unit_id, eta: n.eta_s }, "Request mutual aid"));
}

function incidentActions(d, incident) {
  const parts = [];
  if (incident.status === "open") {
    const outlook = d.outlook();
    if (outlook) { parts.push(h("p", { class: "bl-outlook" }, outlook)); }
    parts.push(h("div", { class: "bl-suggestions" }, d.suggestions().map((n, i) => suggestion(d, n, i, incident))));
  } else {
    const more = d.secondUnits(incident);
    parts.push(h("div", { class: "bl-form" },
      h("select", { id: "second-unit", "aria-label": "Another unit" }, more.map((u) => h("option", { value: u.unit_id }, u.callsign + " · " + u.unit_type))),
      button({ "data-command": "1", dataset: { second: "1" }, disabled: !more.length }, "Send another unit")));
  }
  const enRoute = incident.units.filter((id) => { const u = live.units.get(id); return u && u.status === "en_route"; });
  parts.push(h("div", { class: "bl-arrivals" }, enRoute.map((id) => command({ arrive: id }, d.callsignOf(id) + " on scene"))));
  parts.push(h("div", { class: "bl-form" },
    h("select", { id: "regrade-grade", "aria-label": "New grade" }, ["I", "S", "E", "R"].filter((g) => g !== incident.grade).map((g) => h("option", {}, g))),
    command({ regrade: "1" }, "Regrade")));
  parts.push(h("div", { class: "bl-form" },
    h("input", { id: "close-outcome", placeholder: "Outcome", maxlength: 200, "aria-label": "Outcome" }),
    command({ close: "1" }, "Close incident")));
  return parts;
}

export function mayActOn(d, incident) {
  return d.canAct && (d.me.role !== "inspector" || incident.bcu === d.me.bcu);
}

// The detail pane's content for the selected incident (or why there is none).
export function incidentDetail(d) {
  const id = d.state.incident;
  const incident = id && live.incidents.get(id);
  const known = id && d.timelines[id];
  const parts = [];
  if (incident) {
    parts.push(h("h2", {}, words("grade", incident.grade) + " · " + words("category", incident.category) + " ",
      h("small", { class: "bl-reference" }, incident.reference || incident.incident_id)));
    if (incident.address) { parts.push(h("p", { class: "bl-address" }, incident.address)); }
    parts.push(h("p", {}, incident.borough + " (" + incident.bcu + ") · " + words("incident", incident.status) + " · created " + clock(incident.created_at) +
      (incident.target_at ? " · target " + clock(incident.target_at) : "")));
    if (incident.summary) { parts.push(h("p", { class: "bl-summary" }, incident.summary)); }
    parts.push(...contextSection(live.replay ? { failed: "not shown in a replay (it is about now)" } : d.contexts[id]));
    if (mayActOn(d, incident)) { parts.push(...incidentActions(d, incident)); }
  } else if (id) {
    const gone = known && known.incident;
    parts.push(h("p", { class: "bl-muted" }, "Incident " + ((gone && gone.reference) || id) + " is closed" + (gone && gone.outcome ? ": " + gone.outcome : "") + "."));
  } else {
    parts.push(h("p", { class: "bl-muted" }, "Select an incident in the queue or on the map."));
  }
  if (id) {
    const subject = incident || (known && known.incident);
    if (subject && mayActOn(d, subject)) {
      parts.push(h("div", { class: "bl-form" },
        h("input", { id: "note-text", placeholder: "Add a note to the log", maxlength: 500, "aria-label": "Note" }),
        button({ dataset: { note: "1" } }, "Add note")));
    }
    const timeline = (known && known.timeline) || [];
    parts.push(h("ol", { class: "bl-timeline" }, timeline.map((t) => h("li", {}, h("span", { class: "bl-num" }, clock(t.event.time)), " " + timelineWords(t, d.callsignOf)))));
    if (subject && !live.replay) { parts.push(h("p", {}, h("a", { class: "bl-replay-it", href: replayHref(d, subject) }, "Replay this incident"))); }
  }
  return parts;
}

// What the force knows of the call's place and people (GET /api/incidents/{id}/context,
// each look audited), cut by the server to what this user may see: warnings first, then
// the people linked, then the calls here before; every line dated.
export function contextSection(context) {
  if (!context) { return [h("p", { class: "bl-muted bl-context" }, "What we know here: loading…")]; }
  if (context.failed) { return [h("p", { class: "bl-muted bl-context" }, "What we know here: " + context.failed)]; }
  return [h("section", { class: "bl-context", "aria-label": "What we know here" }, h("h3", {}, "What we know here"), ...contextLines(context).map((line) => h("p", { class: line.warning ? "bl-warning" : null }, line.text)))];
}

// The section's lines, {text, warning}: pure, for the tests.
export function contextLines(context) {
  const lines = [], n = context.counts;
  if (context.sight === "counts") {
    return [{ text: n.calls + " earlier calls within " + context.radius_m + " m since " + day(context.since) + " · " + n.markers + " warning markers · " + n.people + " people linked (counts only)" }];
  }
  context.markers.forEach((m) => lines.push({ warning: true, text: "⚠ " + words("marker", m.marker_type) + " · " + Math.round(m.distance_m) + " m away · set " + day(m.set_at) + ", review by " + day(m.review_date) + (m.text ? ": " + m.text : "") + (m.address ? " (" + m.address + ")" : "") }));
  context.people.forEach((p) => lines.push({ text: words("role", p.role) + (p.name ? ": " + p.name + ", born " + day(p.date_of_birth) : " (not named: another BCU's call)") + " · linked " + day(p.linked_at) + " " + clock(p.linked_at) + (p.notes ? " · " + p.notes : "") }));
  lines.push({ text: n.calls + " earlier calls within " + context.radius_m + " m since " + day(context.since) + (n.calls ? ":" : "") });
  context.calls.slice(0, 8).forEach((c) => lines.push({ text: day(c.created_at) + " · " + c.grade + " · " + words("category", c.category) + " · " + (c.outcome ? words("outcome", c.outcome) : "still open") + " · " + Math.round(c.distance_m) + " m" }));
  if (context.calls.length > 8) { lines.push({ text: "… and " + (context.calls.length - 8) + " more" }); }
  return lines;
}

// The desk replaying the incident's life (replay.js): from a minute before it was created
// to a minute after it closed (or now).
export function replayHref(d, incident) {
  const minute = 60000;
  const from = Date.parse(incident.created_at) - minute;
  const to = incident.closed_at ? Date.parse(incident.closed_at) + minute : Date.now() - 1000;
  const iso = (ms) => new Date(ms).toISOString().replace(".000Z", "Z");
  const params = new URLSearchParams({ bcu: d.state.bcu, incident: incident.incident_id, replay: iso(from) + "/" + iso(Math.max(to, from + minute)), at: iso(from) });
  return "/inspector?" + params.toString();
}

function aidRequests(d) {
  const open = d.me.commands === "all" ? d.openAid() : [];
  if (!open.length) { return []; }
  return [h("div", { class: "bl-aid-requests" }, h("h3", {}, "Mutual aid requests"), open.map((a) => h("div", { class: "bl-aid" },
    a.callsign + " (" + a.from_bcu + ") for " + a.grade + " · " + a.category + " " + a.incident_id + " in " + a.to_bcu + " · asked by " + a.by + ": " + a.reason + " ",
    h("button", { class: "bl-button bl-primary", "data-command": "1", dataset: { grant: a.request_id } }, "Grant"),
    command({ decline: a.request_id }, "Decline"))))];
}

function unitControls(d, unit) {
  const parts = [h("h3", {}, unit.callsign + " ", h("small", {}, unit.unit_type + " · ", h("span", { id: "unit-in-status" }, inStatus(unit, now())), " · deployed " + unit.bcu))];
  STATUS_BUTTONS.forEach((s) => {
    const current = s === unit.status;
    // The current status is inert (disabled), not a command the outage state may re-enable.
    parts.push(button({ "data-command": current ? null : "1", dataset: { status: s }, "aria-pressed": String(current), disabled: current }, words("unit", s)));
  });
  if (unit.status === "en_route") { parts.push(command({ status: "on_scene" }, "on scene")); }
  parts.push(h("div", { class: "bl-redeploy" },
    h("select", { id: "redeploy-bcu" }, Object.keys(live.bcus || {}).sort().map((c) => h("option", { selected: c === unit.bcu }, c))),
    h("input", { id: "redeploy-reason", placeholder: "Reason", maxlength: 200 }),
    command({ redeploy: "1" }, "Redeploy")));
  const ask = d.state.confirm;
  if (ask && ask.unit === unit.unit_id) {
    const available = (live.bcus[unit.bcu] || {}).available || 0;
    parts.push(h("div", { class: "bl-confirm", role: "alertdialog", "aria-label": "Confirm redeployment" },
      h("p", {}, "Send " + unit.callsign + " out of " + unit.bcu + " to " + ask.bcu + "? " + unit.bcu + " has " + available + " units available now."),
      h("ul", { class: "bl-whatif" }, (ask.whatif && ask.whatif.failed ? ["what-if not available: " + ask.whatif.failed] : whatIfLines(ask.whatif)).map((line) => h("li", {}, line))),
      h("button", { class: "bl-button bl-primary", "data-command": "1", dataset: { confirmRedeploy: "1" } }, "Confirm redeploy"),
      button({ dataset: { cancelRedeploy: "1" } }, "Cancel")));
  }
  return parts;
}

// Move-ups of this user's units the recommender proposes: accept (recorded; a move to
// another BCU then asks to redeploy the unit, showing the cover before and after) or
// dismiss with the reason typed below, for the ledger; or just select the unit.
function moveCards(d) {
  const moves = d.canAct ? d.moves() : [];
  if (!moves.length) { return []; }
  return [h("div", { class: "bl-moves" }, h("h3", {}, "Move-ups proposed"), moves.map((m) => h("div", { class: "bl-move" },
    moveWords(m) + " ",
    m.advice_id ? command({ acceptMove: m.advice_id, moveUnit: m.unit_id, moveBcu: m.to_bcu, moveReason: ("move-up: stand by in " + m.borough).slice(0, 200) }, "Accept") : null,
    m.advice_id ? command({ dismissMove: m.advice_id }, "Dismiss") : null,
    button({ dataset: { pickUnit: m.unit_id } }, "Select " + m.callsign))),
  h("input", { id: "move-reason", placeholder: "Why not (to dismiss a move-up)", maxlength: 200, "aria-label": "Why a move-up is dismissed" }))];
}

// I-grade calls whose units all run late by their progress (AVL): why, and the unit the
// recommender would send as well, sent with one click if this user commands it (the first
// on scene stands the others down). Another BCU's unit is named, to ask for from the call.
function backupCards(d) {
  const found = d.canAct ? d.backups() : [];
  if (!found.length) { return []; }
  return [h("div", { class: "bl-backups" }, h("h3", {}, "Back-ups needed"), found.map((b) => {
    const incident = live.incidents.get(b.incident_id), n = b.suggestion;
    const name = (incident && incident.reference) || b.incident_id;
    const where = " (" + n.bcu + ", " + minutes(n.eta_s) + ")";
    const send = d.mayCommand(n.bcu)
      ? command({ assign: n.unit_id, assignTo: b.incident_id }, "Send " + n.callsign + where)
      : h("span", { class: "bl-foreign" }, n.callsign + where + " is " + n.bcu + "'s: select the call to ask for mutual aid");
    return h("div", { class: "bl-backup" }, h("strong", {}, name + " "), b.reasons[0] + " ", send,
      h("small", { class: "bl-reasons" }, reasonsLine(n)));
  }))];
}

// The actions pane: mutual aid requests to answer, back-ups and move-ups, then the selected
// unit's controls.
export function actionsPane(d) {
  const unit = d.state.unit && live.units.get(d.state.unit);
  let controls;
  if (!d.canAct) { controls = [h("p", { class: "bl-muted" }, "Read only: commanders and inspectors move units.")]; }
  else if (unit) { controls = unitControls(d, unit); }
  else { controls = [h("p", { class: "bl-muted" }, "Select a unit to change its status or redeploy it; then click an incident on the map to assign it.")]; }
  return aidRequests(d).concat(backupCards(d), moveCards(d), controls);
}

// Rebuilding the panel (every frame that touches it) must not lose what is being typed.
export function keepingInputs(container, children) {
  const values = {}, focused = document.activeElement;
  let focusId = null, caret = null;
  container.querySelectorAll("input[id], select[id]").forEach((input) => { values[input.id] = input.value; });
  if (focused && container.contains(focused) && focused.id) {
    focusId = focused.id;
    try { caret = [focused.selectionStart, focused.selectionEnd]; } catch { caret = null; }
  }
  container.replaceChildren(...children);
  Object.keys(values).forEach((id) => {
    const input = document.getElementById(id);
    if (input && container.contains(input)) { input.value = values[id]; }
  });
  const again = focusId && document.getElementById(focusId);
  if (again) {
    again.focus();
    if (caret && caret[0] !== null) { try { again.setSelectionRange(caret[0], caret[1]); } catch { /* a select */ } }
  }
}
