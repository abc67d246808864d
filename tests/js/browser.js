// A fake browser for unit tests of the assets' pure logic: the scripts run, in file-name
// order as Dash loads them, in a node vm context whose window and document are test-side
// stand-ins just large enough for them. Timers and animation frames are recorded and run
// only when a test says so; nothing touches the network.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const ASSETS = path.join(__dirname, "..", "..", "dashboard", "assets");

// An element: text, attributes, classes and listeners, no layout and no parsing of HTML.
function fakeElement(id) {
  const listeners = {};
  const classes = new Set();
  const attributes = {};
  return {
    id,
    textContent: "",
    innerHTML: "",
    hidden: false,
    value: "",
    title: "",
    dataset: {},
    isConnected: true,
    classList: {
      add: (...names) => names.forEach((n) => classes.add(n)),
      remove: (...names) => names.forEach((n) => classes.delete(n)),
      contains: (name) => classes.has(name),
      toggle(name, on) {
        const wanted = on === undefined ? !classes.has(name) : Boolean(on);
        if (wanted) { classes.add(name); } else { classes.delete(name); }
        return wanted;
      },
    },
    getAttribute: (name) => (name in attributes ? attributes[name] : null),
    setAttribute: (name, value) => { attributes[name] = String(value); },
    removeAttribute: (name) => { delete attributes[name]; },
    addEventListener: (type, fn) => { (listeners[type] = listeners[type] || []).push(fn); },
    removeEventListener: (type, fn) => {
      listeners[type] = (listeners[type] || []).filter((l) => l !== fn);
    },
    // Test side: what a user's click or keystroke would deliver to the listeners.
    dispatch: (type, event) => (listeners[type] || []).forEach((fn) => fn(event)),
    querySelectorAll: () => [],
    querySelector: () => null,
    contains: () => true,
    appendChild: (child) => child,
    remove() {},
    focus() {},
  };
}

// A page: the window the scripts see, and handles for the test to drive it.
function page(options = {}) {
  const elements = new Map();
  const frames = [];
  const timers = [];
  const warnings = [];
  const location = {
    protocol: "http:", host: "127.0.0.1:8050", origin: "http://127.0.0.1:8050",
    pathname: options.pathname || "/", search: options.search || "", hash: "",
    assign() {},
  };
  const document = {
    cookie: options.cookie || "",
    body: fakeElement("body"),
    documentElement: fakeElement("html"),
    activeElement: null,
    getElementById: (id) => elements.get(id) || null,
    querySelectorAll: () => [],
    querySelector: () => null,
    createElement: () => fakeElement(""),
    addEventListener() {},
    removeEventListener() {},
  };
  const later = (fn, ms) => { timers.push({ fn, ms }); return timers.length; };
  const window = {
    document,
    location,
    history: { state: null, replaceState() {} },
    localStorage: { getItem: () => null, setItem() {} },
    console: { log() {}, error: (...a) => warnings.push(a.join(" ")), warn: (...a) => warnings.push(a.join(" ")) },
    setTimeout: later,
    setInterval: later,
    clearTimeout() {},
    clearInterval() {},
    requestAnimationFrame: (fn) => { frames.push(fn); return frames.length; },
    performance: { now: () => 0, timeOrigin: 0 },
    fetch: options.fetch || (() => new Promise(() => {})),  // never answers unless told
    URL,
    URLSearchParams,
    WebSocket: function () { this.close = () => {}; },
    MutationObserver: function () { this.observe = () => {}; },
    ...(options.globals || {}),
  };
  window.window = window;
  const context = vm.createContext(window);
  return {
    window,
    document,
    warnings,
    timers,
    // An element the scripts will find by id.
    element(id) {
      const element = fakeElement(id);
      elements.set(id, element);
      return element;
    },
    // Run asset files (names in dashboard/assets) in this page, in the order given.
    load(...files) {
      for (const file of files) {
        const source = fs.readFileSync(path.join(ASSETS, file), "utf8");
        vm.runInContext(source, context, { filename: file });
      }
      return window.bluelamp;
    },
    // The next animation frame: what the live store scheduled runs now.
    animationFrame() {
      const due = frames.splice(0);
      due.forEach((fn) => fn());
      return due.length;
    },
  };
}

module.exports = { page, fakeElement };
