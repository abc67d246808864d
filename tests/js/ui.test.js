// bluelamp.ui (dashboard/assets/screen.js): the formatting every screen shares.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { page } = require("./browser.js");

function ui() {
  const p = page();
  return p.load("bluelamp.js", "live.js", "screen.js");
}

test("words: the data's codes in the words a control room uses", () => {
  const { ui: u } = ui();
  assert.equal(u.words("grade", "I"), "I · Immediate");
  assert.equal(u.words("incident", "open"), "awaiting a unit");
  assert.equal(u.words("unit", "on_scene"), "on scene");
  assert.equal(u.words("category", "concern_for_welfare"), "concern for welfare");
  assert.equal(u.words("unitType", "ARV"), "armed response");
});

test("words: an unknown code, or kind, reads as its words", () => {
  const { ui: u } = ui();
  assert.equal(u.words("category", "sudden_death"), "sudden death");
  assert.equal(u.words("no_such_kind", "a_b"), "a b");
  assert.equal(u.words("unit", "constructor"), "constructor");  // not Object.prototype's
  assert.equal(u.words("unit", null), "");
});

test("mmss: minutes and seconds, hours when there are any, a minus sign when negative", () => {
  const { ui: u } = ui();
  assert.equal(u.mmss(0), "0:00");
  assert.equal(u.mmss(65), "1:05");
  assert.equal(u.mmss(59.6), "1:00");
  assert.equal(u.mmss(3725), "1:02:05");
  assert.equal(u.mmss(-65), "−1:05");
  for (const nothing of [null, undefined, NaN]) { assert.equal(u.mmss(nothing), ""); }
});

test("countdown: time left, or overdue marked hot", () => {
  const { ui: u } = ui();
  assert.equal(u.countdown(90), "<span class='bl-num'>1:30</span> left");
  assert.equal(u.countdown(-90), "<span class='bl-num bl-hot'>1:30 overdue</span>");
});

test("minutes: whole minutes, never under one", () => {
  const { ui: u } = ui();
  assert.equal(u.minutes(0), "1 min");
  assert.equal(u.minutes(89), "1 min");
  assert.equal(u.minutes(91), "2 min");
  assert.equal(u.minutes(600), "10 min");
});

test("clock: London time of an ISO instant, summer and winter", () => {
  const { ui: u } = ui();
  assert.equal(u.clock("2026-07-01T12:00:05Z"), "13:00:05");
  assert.equal(u.clock("2026-12-01T21:14:03Z"), "21:14:03");
  assert.equal(u.clock(""), "");
  assert.equal(u.clock(null), "");
});

test("escape and text: markup characters escaped, nothing shown for null", () => {
  const { ui: u } = ui();
  assert.equal(u.escape(`<a href="x">Tom & Jerry's</a>`), "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  assert.equal(u.escape(null), "");
  assert.equal(u.escape(0), "0");
  assert.equal(u.text(undefined), "");
  assert.equal(u.text(12), "12");
});

test("now: the newest event's time once there is one, else this clock", () => {
  const B = ui();
  const before = Date.now();
  assert.ok(B.ui.now() >= before);
  B.live.lastEventTime = "2026-11-24T21:14:03Z";
  assert.equal(B.ui.now(), Date.parse("2026-11-24T21:14:03Z"));
});

test("the grid's mmss: an attended incident's 'to target' (NO_TARGET) is blank", () => {
  const p = page();
  const B = p.load("bluelamp.js", "live.js", "screen.js");
  const grid = p.window.dashAgGridFunctions;
  assert.equal(grid.mmss(B.ui.NO_TARGET), "");
  assert.equal(grid.mmss(125), "2:05");
});
