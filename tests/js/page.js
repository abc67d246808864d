// A page for unit tests of the browser modules: linkedom's DOM as `document`, a window
// just large enough for them, and timers and animation frames recorded, run only when a
// test says so (nothing touches the network unless a test's fetch answers). Import it
// first: the modules find these globals when they run.
import { parseHTML } from "linkedom";

const frames = [];
export const timers = [];
export const warnings = [];
const stored = new Map();

const { document, CustomEvent: PageEvent, Event: DomEvent } = parseHTML("<!doctype html><html><head></head><body></body></html>");

export const location = {
  protocol: "http:", host: "127.0.0.1:8050", origin: "http://127.0.0.1:8050",
  pathname: "/", search: "", hash: "",
  assign(url) { location.assigned = url; },
};

document.cookie = "bluelamp_csrf=token";

// linkedom's <select> has a read-only value: a browser's sets the option with that value.
const optionValue = (o) => (o.hasAttribute("value") ? o.getAttribute("value") : o.textContent);
Object.defineProperty(Object.getPrototypeOf(document.createElement("select")), "value", {
  get() {
    const options = [...this.querySelectorAll("option")];
    const chosen = options.find((o) => o.hasAttribute("selected")) || options[0];
    return chosen ? optionValue(chosen) : "";
  },
  set(value) {
    for (const o of this.querySelectorAll("option")) {
      if (optionValue(o) === String(value)) { o.setAttribute("selected", ""); } else { o.removeAttribute("selected"); }
    }
  },
});
globalThis.document = document;
globalThis.window = {
  document,
  location,
  history: { state: null, replaceState(state, title, url) { const u = new URL(url, location.origin); location.search = u.search; } },
  localStorage: { getItem: (k) => (stored.has(k) ? stored.get(k) : null), setItem: (k, v) => stored.set(k, String(v)) },
};
globalThis.requestAnimationFrame = (fn) => frames.push(fn);
globalThis.setInterval = (fn, ms) => timers.push({ fn, ms });
globalThis.setTimeout = (fn, ms) => timers.push({ fn, ms });
globalThis.clearInterval = () => {};
globalThis.clearTimeout = () => {};
globalThis.CustomEvent = PageEvent;
globalThis.fetch = () => new Promise(() => {});  // never answers unless a test says
console.warn = (...a) => warnings.push(a.join(" "));
console.error = (...a) => warnings.push(a.join(" "));

// Runs what the store scheduled for the next animation frame; returns how many ran.
export function animationFrame() {
  const due = frames.splice(0);
  due.forEach((fn) => fn());
  return due.length;
}

// A fresh body holding elements with these ids (divs unless given as [id, tag]).
export function elements(...ids) {
  document.body.replaceChildren();
  const found = {};
  for (const one of ids) {
    const [id, tag] = Array.isArray(one) ? one : [one, "div"];
    const element = document.createElement(tag);
    element.id = id;
    document.body.appendChild(element);
    found[id] = element;
  }
  return found;
}

// The address the page is at.
export function at(pathname, search = "") {
  location.pathname = pathname;
  location.search = search;
}

// fetch answering each request with answer(method, path, body) -> {status, body}.
export function answering(answer) {
  const asked = [];
  globalThis.fetch = (path, options) => {
    asked.push([options.method, path, options.body]);
    const { status, body } = answer(options.method, path, options.body);
    return Promise.resolve({ status, json: () => Promise.resolve(body) });
  };
  return asked;
}

// What a user's action delivers: an event of this type, bubbling from element.
export function dispatch(element, type, init = {}) {
  const event = new DomEvent(type, { bubbles: true });
  Object.assign(event, init);
  element.dispatchEvent(event);
  return event;
}

export const settle = () => new Promise((resolve) => setImmediate(resolve));
