// The words and numbers every screen shares (format.js, grid.js), the wall's countdown
// (wallboard.js) and the safe element builder (dom.js).
import { elements } from "./page.js";
import test from "node:test";
import assert from "node:assert/strict";
import { clock, minutes, mmss, NO_TARGET, text, words } from "../../dashboard/assets/js/format.js";
import { gridMmss, publishGridFunctions, toTarget } from "../../dashboard/assets/js/grid.js";
import { apply, now } from "../../dashboard/assets/js/store.js";
import { countdown } from "../../dashboard/assets/js/wallboard.js";
import { fill, h } from "../../dashboard/assets/js/dom.js";

test("words: the data's codes in the words a control room uses", () => {
  assert.equal(words("grade", "I"), "I · Immediate");
  assert.equal(words("incident", "open"), "awaiting a unit");
  assert.equal(words("unit", "on_scene"), "on scene");
  assert.equal(words("category", "concern_for_welfare"), "concern for welfare");
  assert.equal(words("unitType", "ARV"), "armed response");
});

test("words: an unknown code, or kind, reads as its words", () => {
  assert.equal(words("category", "sudden_death"), "sudden death");
  assert.equal(words("no_such_kind", "a_b"), "a b");
  assert.equal(words("unit", "constructor"), "constructor");  // not Object.prototype's
  assert.equal(words("unit", null), "");
});

test("mmss: minutes and seconds, hours when there are any, a minus sign when negative", () => {
  assert.equal(mmss(0), "0:00");
  assert.equal(mmss(65), "1:05");
  assert.equal(mmss(59.6), "1:00");
  assert.equal(mmss(3725), "1:02:05");
  assert.equal(mmss(-65), "−1:05");
  for (const nothing of [null, undefined, NaN]) { assert.equal(mmss(nothing), ""); }
});

test("countdown: time left, or overdue marked hot", () => {
  const { box } = elements("box");
  fill(box, countdown(90));
  assert.equal(box.textContent, "1:30 left");
  assert.equal(box.querySelector(".bl-num").classList.contains("bl-hot"), false);
  fill(box, countdown(-90));
  assert.equal(box.textContent, "1:30 overdue");
  assert.equal(box.querySelector(".bl-num").classList.contains("bl-hot"), true);
});

test("minutes: whole minutes, never under one", () => {
  assert.equal(minutes(0), "1 min");
  assert.equal(minutes(89), "1 min");
  assert.equal(minutes(91), "2 min");
  assert.equal(minutes(600), "10 min");
});

test("clock: London time of an ISO instant, summer and winter", () => {
  assert.equal(clock("2026-07-01T12:00:05Z"), "13:00:05");
  assert.equal(clock("2026-12-01T21:14:03Z"), "21:14:03");
  assert.equal(clock(""), "");
  assert.equal(clock(null), "");
});

test("h: data is text and attribute values, never markup", () => {
  const hostile = `<img src=x onerror="alert(1)">Tom & Jerry's`;
  const item = h("li", { class: "bl-x", title: hostile, dataset: { ack: hostile }, hidden: false, disabled: true }, hostile, 0, null, [h("b", {}, "!")]);
  assert.equal(item.textContent, hostile + "0!");
  assert.equal(item.querySelector("img"), null);
  assert.deepEqual([...item.children].map((c) => c.tagName), ["B"]);
  assert.equal(item.getAttribute("title"), hostile);
  assert.equal(item.dataset.ack, hostile);
  assert.equal(item.hasAttribute("hidden"), false);
  assert.equal(item.getAttribute("disabled"), "");
  assert.equal(text(undefined), "");
  assert.equal(text(12), "12");
});

test("now: the newest event's time once there is one, else this clock", () => {
  apply({ type: "snapshot", seq: 1, picture: { incidents: [], units: [], kpis: {}, bcus: {}, as_of: null }, advice: null });
  const before = Date.now();
  assert.ok(now() >= before);
  apply({ type: "snapshot", seq: 2, picture: { incidents: [], units: [], kpis: {}, bcus: {}, as_of: "2026-11-24T21:14:03Z" }, advice: null });
  assert.equal(now(), Date.parse("2026-11-24T21:14:03Z"));
});

test("the grid's formatters: an attended incident's 'to target' is blank; overdue in words", () => {
  publishGridFunctions();
  assert.equal(window.dashAgGridFunctions.mmss, gridMmss);
  assert.equal(gridMmss(NO_TARGET), "");
  assert.equal(gridMmss(125), "2:05");
  assert.equal(toTarget(NO_TARGET), "");
  assert.equal(toTarget(null), "");
  assert.equal(toTarget(-75), "⚠ 1:15 overdue");
  assert.equal(toTarget(299), "⚠ 4:59");
  assert.equal(toTarget(300), "5:00");
});
