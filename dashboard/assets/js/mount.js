// Mounts one screen per page: the element with data-screen (wall, inspector, planner) or
// the sign-in form, found again on every DOM change Dash makes (its router swaps pages
// without a reload). A screen is a function (root, me) -> {root, stop()}.
import { fill, h } from "./dom.js";
import { start } from "./live.js";
import { replaying, startFromLink } from "./replay.js";
import { requireSignIn } from "./session.js";

let screens = {};
const REPLAYABLE = { wall: true, inspector: true };
let current = null;  // { root, stop() }
let lookedAt = null;

function passive(root) { return { root, stop() {} }; }

function mount(name, root) {
  if (current && current.root === root) { return; }
  if (current) { current.stop(); current = null; }
  if (name === "signin") {
    delete document.documentElement.dataset.role;  // no navigation on the sign-in page
    current = screens.signin(root);
    return;
  }
  // Claimed at once: the DOM changes many times while the sign-in check is in flight, and
  // each change must not mount the screen again (two click handlers, two assignments).
  const claim = { root, stopped: false, stop() { claim.stopped = true; } };
  current = claim;
  requireSignIn().then((me) => {
    if (claim.stopped || !document.body.contains(root)) { return; }
    // bluelamp.css shows the navigation, and which links, by role.
    document.documentElement.dataset.role = me.role;
    if (me.role === "feed") {
      fill(root, h("p", { class: "bl-error" }, "A feed account has no screens."));
      return;
    }
    // A replay link (replay.js) replays instead; a replay already on goes on across pages.
    if (!replaying() && !(REPLAYABLE[name] && startFromLink())) { start(); }
    current = (screens[name] || passive)(root, me);
    current.root = root;
  });
}

// Called on every DOM change (live text included): does nothing unless the page changed.
function look() {
  if (current && current.root.isConnected && lookedAt === window.location.pathname) { return; }
  lookedAt = window.location.pathname;
  document.querySelectorAll(".bl-nav a").forEach((link) => {
    const here = link.getAttribute("href") === window.location.pathname;
    if (here !== link.classList.contains("bl-here")) { link.classList.toggle("bl-here", here); }
  });
  const screen = document.querySelector("[data-screen]");
  if (screen) { mount(screen.getAttribute("data-screen"), screen); return; }
  const form = document.getElementById("signin-form");
  if (form) { mount("signin", form); return; }
  if (current) { current.stop(); current = null; }
}

// byName: {signin, wall, inspector, planner} screen functions.
export function mountScreens(byName) {
  screens = byName;
  new MutationObserver(look).observe(document.documentElement, { childList: true, subtree: true });
  look();
}
