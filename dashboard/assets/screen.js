// The screens' shared core: formatting helpers and colours (bluelamp.ui), and the wiring
// that mounts one screen per page. Each screen lives in a file of its own and registers in
// bluelamp.screens; they are filled and kept current from bluelamp.live (assets/live.js).
// Dash loads assets in file-name order, so this file runs before the screen_*.js files.
// The layouts come from Dash (dashboard/*.py), whose component ids these are:
//   header: user, sign-out, freshness, feed-banner · sign-in: signin-form, signin-user,
//   signin-password, signin-error · wall: kpis, at-risk, alerts, bcu-table, map ·
//   inspector: inspector-bcu, queue, units, inspector-map, detail, actions, result.
(function () {
  "use strict";
  var B = (window.bluelamp = Object.assign({}, window.bluelamp));
  var live = B.live;
  var session = B.session;
  B.screens = B.screens || {};

  // The map's colours, one palette for markers and legend (screen_layers.js). Chosen after
  // Okabe-Ito to stay apart under protanopia, deuteranopia and tritanopia, and against the
  // dark map: tests/dashboard/test_legibility.py reads them from this file and checks both.
  // Incidents are circles, units squares: colour is never the only cue. Radii are at
  // 1920x1080 and scale with the map's size.
  var GRADE_STYLE = {
    I: { radius: 10, fillColor: "#ff4d2e", color: "#ffffff", weight: 2.5, fillOpacity: 0.95 },
    S: { radius: 7, fillColor: "#f0e442", color: "#1c1c1e", weight: 1.5, fillOpacity: 0.9 },
    E: { radius: 5, fillColor: "#c0c8d2", color: "#1c1c1e", weight: 1, fillOpacity: 0.8 },
    R: { radius: 4, fillColor: "#7f8994", color: "#1c1c1e", weight: 1, fillOpacity: 0.7 },
  };
  var UNIT_COLOUR = {
    available: "#2ee6a0", en_route: "#56b4e9", on_scene: "#e07ac0", busy: "#e69f00",
    at_station: "#2f7fff", refreshment: "#ffffff", custody: "#998866", off_duty: "#8e8e93",
  };
  // Demand heat (hexes) and the City of London (its own force), also in the legend.
  var HEAT_COLOUR = "#c2185b";
  var CITY_COLOUR = "#c9a227";
  var GRADE_ORDER = { I: 0, S: 1, E: 2, R: 3 };
  var LIVE_GRADES = { I: true, S: true };

  function el(id) { return document.getElementById(id); }
  function text(value) { return value === null || value === undefined ? "" : String(value); }
  function escape(value) {
    return text(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function mmss(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) { return ""; }
    var sign = seconds < 0 ? "−" : "";
    var s = Math.abs(Math.round(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return sign + (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(r).padStart(2, "0");
  }
  function countdown(seconds) {
    return seconds < 0
      ? "<span class='bl-num bl-hot'>" + mmss(-seconds) + " overdue</span>"
      : "<span class='bl-num'>" + mmss(seconds) + "</span> left";
  }
  function minutes(seconds) { return Math.max(1, Math.round(seconds / 60)) + " min"; }
  // Event time, not this browser's clock: in a replay or a simulation they differ.
  function now() { return live.lastEventTime ? Date.parse(live.lastEventTime) : Date.now(); }
  var TIME = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  function clock(iso) { return iso ? TIME.format(new Date(iso)) : ""; }

  // For the AG Grid column definitions (dashboard/inspector.py): dash-ag-grid looks up
  // {"function": "..."} names in window.dashAgGridFunctions.
  var grid = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  // "To target" of an incident already attended sorts last: a large number shown as blank.
  var NO_TARGET = 1e12;
  grid.mmss = function (value) { return value >= NO_TARGET ? "" : mmss(value); };

  function findMap(id) {
    return new Promise(function (resolve) {
      (function look() {
        var map = B.maps && B.maps[id];
        if (map) { resolve(map); } else { setTimeout(look, 50); }
      })();
    });
  }


  B.ui = {
    el: el, text: text, escape: escape, mmss: mmss, countdown: countdown, minutes: minutes,
    now: now, clock: clock, findMap: findMap, GRADE_STYLE: GRADE_STYLE, UNIT_COLOUR: UNIT_COLOUR,
    HEAT_COLOUR: HEAT_COLOUR, CITY_COLOUR: CITY_COLOUR,
    GRADE_ORDER: GRADE_ORDER, LIVE_GRADES: LIVE_GRADES, NO_TARGET: NO_TARGET,
  };

  // -- mounting ----------------------------------------------------------------------------

  var current = null;  // { name, stop() }

  function mount(name, root) {
    if (current && current.root === root) { return; }
    if (current) { current.stop(); current = null; }
    if (name === "signin") { current = B.screens.signin(root); return; }
    // Claimed at once: the DOM changes many times while the sign-in check is in flight, and
    // each change must not mount the screen again (two click handlers, two assignments).
    var claim = { root: root, stop: function () { claim.stopped = true; } };
    current = claim;
    session.require().then(function (me) {
      if (claim.stopped || !document.body.contains(root)) { return; }
      if (me.role === "feed") {
        root.innerHTML = "<p class='bl-error'>A feed account has no screens.</p>";
        return;
      }
      live.start();
      current = (B.screens[name] || passive)(root, me);
      current.root = root;
    });
  }

  function passive(root) { return { root: root, stop: function () {} }; }


  // -- wiring -----------------------------------------------------------------------------

  var lookedAt = null;
  function look() {
    // Called on every DOM change (live text included): do nothing unless the page changed.
    if (current && current.root.isConnected && lookedAt === window.location.pathname) { return; }
    lookedAt = window.location.pathname;
    document.querySelectorAll(".bl-nav a").forEach(function (link) {
      var here = link.getAttribute("href") === window.location.pathname;
      if (here !== link.classList.contains("bl-here")) { link.classList.toggle("bl-here", here); }
    });
    var screen = document.querySelector("[data-screen]");
    if (screen) { mount(screen.getAttribute("data-screen"), screen); return; }
    if (el("signin-form")) { mount("signin", el("signin-form")); return; }
    if (current) { current.stop(); current = null; }
  }
  document.addEventListener("click", function (event) {
    if (event.target && event.target.id === "sign-out") { session.signOut(); }
  });
  new MutationObserver(look).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", look);
})();

