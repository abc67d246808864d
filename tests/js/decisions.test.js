// Decision support's builders (dashboard/assets/js/decisions.js): which units are offered
// (the recommender's, only while they can still go; else the nearest), the outlook, the
// BCU cells, move-ups and a what-if in words.
import { elements } from "./page.js";
import test from "node:test";
import assert from "node:assert/strict";
import {
  breachCell, callAdvice, coverCell, moveItems, outlookWords, reasonsLine, suggestionsFor, whatIfLines,
} from "../../dashboard/assets/js/decisions.js";

const free = (u) => u.status === "available" || u.status === "at_station";
const UNITS = new Map([
  ["A", { unit_id: "A", status: "available" }],
  ["B", { unit_id: "B", status: "on_scene" }],
  ["C", { unit_id: "C", status: "en_route", incident_id: "E7" }],
  ["D", { unit_id: "D", status: "at_station" }],
]);
const suggestion = (unit_id, more = {}) => ({ unit_id, callsign: unit_id, bcu: "AW", eta_s: 300, reasons: ["5 min away, 10 min inside the target", "AW's I-grade cover stays at 90%"], diverted_from: null, ...more });
const ADVICE = {
  waiting: [{ incident_id: "I1", nearest: [{ unit_id: "N1", callsign: "N1", bcu: "AW", eta_s: 100 }] }, { incident_id: "I2", nearest: [] }],
  recommendations: {
    calls: [{ incident_id: "I1", words: "breaches unless a unit is sent within 9 min", suggestions: [
      suggestion("B"), suggestion("A"), suggestion("C", { diverted_from: "E7" }), suggestion("GONE"), suggestion("D"),
    ] }],
    cover: { AW: 0.9 }, expected_breaches: { AW: 0.6 }, moves: [],
  },
};

test("the recommender's units are offered while they can still go, a diversion while it is on its way or at an E-grade scene", () => {
  assert.deepEqual(suggestionsFor(ADVICE, "I1", UNITS, free).map((s) => s.unit_id), ["A", "C", "D"]);
  const moved = new Map(UNITS).set("C", { unit_id: "C", status: "on_scene", incident_id: "E7" });
  assert.deepEqual(suggestionsFor(ADVICE, "I1", moved, free).map((s) => s.unit_id), ["A", "D"]);
  const at = (grade) => suggestionsFor(ADVICE, "I1", moved, free, (id) => (id === "E7" ? grade : null));
  assert.deepEqual(at("S").map((s) => s.unit_id), ["A", "D"]);
  assert.deepEqual(at("E").map((s) => s.unit_id), ["A", "C", "D"]);
  const elsewhere = new Map(UNITS).set("C", { unit_id: "C", status: "en_route", incident_id: "E8" });
  assert.deepEqual(suggestionsFor(ADVICE, "I1", elsewhere, free).map((s) => s.unit_id), ["A", "D"]);
});

test("a busy unit is offered for an I- or S-grade call while it is busy or free, never for an E-grade one", () => {
  const units = new Map([["E", { unit_id: "E", status: "busy" }], ["F", { unit_id: "F", status: "refreshment" }]]);
  const advice = (grade) => ({ waiting: [], recommendations: { calls: [
    { incident_id: "X", grade, suggestions: [suggestion("E"), suggestion("F")] },
  ] } });
  assert.deepEqual(suggestionsFor(advice("I"), "X", units, free).map((s) => s.unit_id), ["E"]);
  assert.deepEqual(suggestionsFor(advice("S"), "X", units, free).map((s) => s.unit_id), ["E"]);
  assert.deepEqual(suggestionsFor(advice("E"), "X", units, free).map((s) => s.unit_id), []);
  const cleared = new Map(units).set("E", { unit_id: "E", status: "available" });
  assert.deepEqual(suggestionsFor(advice("E"), "X", cleared, free).map((s) => s.unit_id), ["E"]);
});

test("without the recommender's answer for a call, the nearest units by ETA are offered", () => {
  assert.deepEqual(suggestionsFor(ADVICE, "I2", UNITS, free), []);
  const before = { ...ADVICE, recommendations: null };
  assert.deepEqual(suggestionsFor(before, "I1", UNITS, free).map((s) => s.unit_id), ["N1"]);
  assert.equal(callAdvice(before, "I1"), null);
  assert.equal(outlookWords(before, "I1"), null);
  assert.equal(outlookWords(ADVICE, "I1"), "breaches unless a unit is sent within 9 min");
  assert.equal(reasonsLine(suggestion("A")), "5 min away, 10 min inside the target · AW's I-grade cover stays at 90%");
});

test("a BCU's cover and expected breaches are marked as they worsen, and unknown until computed", () => {
  const cell = (el) => [el.className, el.textContent];
  const recs = { cover: { AW: 0.9, CE: 0.6, CN: 0.3 }, expected_breaches: { AW: 0.2, CE: 0.5, CN: 1.25 } };
  assert.deepEqual(["AW", "CE", "CN"].map((c) => cell(coverCell(recs, c))),
    [["bl-cover", "90%"], ["bl-cover bl-warm", "60%"], ["bl-cover bl-hot", "30%"]]);
  assert.deepEqual(["AW", "CE", "CN"].map((c) => cell(breachCell(recs, c))),
    [["bl-breaches", "0.2"], ["bl-breaches bl-warm", "0.5"], ["bl-breaches bl-hot", "1.3"]]);
  assert.deepEqual(cell(coverCell(null, "AW")), ["bl-cover", "–"]);
  assert.deepEqual(cell(breachCell(recs, "SW")), ["bl-breaches", "–"]);
});

test("move-ups and a what-if read as words, with data as text only", () => {
  elements("x");
  const move = { unit_id: "U1", callsign: "<b>AW1</b>", from_bcu: "AW", to_bcu: "CE", borough: "Tower Hamlets", gain: 0.123, cover_before: 0.5, cover_after: 0.75, drive_s: 600 };
  const [item] = moveItems({ moves: [move] });
  assert.equal(item.textContent, "<b>AW1</b> → stand by in Tower Hamlets (CE) · +0.12 I-grade calls/h in reach · CE cover 50% → 75% · 10 min drive");
  assert.equal(item.children.length, 0);  // the callsign stayed text
  assert.equal(moveItems({ moves: [] })[0].textContent, "None proposed");
  assert.equal(moveItems(null)[0].textContent, "…");
  assert.deepEqual(whatIfLines({ bcus: { CE: { before: 0.5, after: 0.7 }, AW: { before: 0.9, after: 0.8 } } }),
    ["AW I-grade cover 90% → 80%", "CE I-grade cover 50% → 70%"]);
  assert.deepEqual(whatIfLines(null), ["working out the cover before and after…"]);
});
