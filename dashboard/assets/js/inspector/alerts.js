// The inspector's alerts: a new or breaching I-grade incident in the BCU on the desk
// raises a banner (with Show and dismiss) and a beep, unless muted.
import { fill, h } from "../dom.js";
import { words } from "../format.js";
import { live } from "../store.js";
import { sound } from "./sound.js";

function raise(incident, what) {
  const banner = document.getElementById("inspector-alert");
  if (banner) {
    fill(banner, h("span", { class: "bl-alert-what" }, what + " I-grade"),
      " " + (incident.reference || incident.incident_id) + " · " + words("category", incident.category) + " · " + (incident.borough || "") + " ",
      h("button", { type: "button", class: "bl-button", dataset: { show: incident.incident_id } }, "Show"),
      h("button", { type: "button", class: "bl-button", dataset: { dismiss: "1" }, "aria-label": "Dismiss the alert" }, "✕"));
    banner.classList.remove("bl-flash");
    void banner.offsetWidth;  // restart the flash animation
    banner.classList.add("bl-flash", "bl-shown");
  }
  sound.play(what);
}

// An alert watcher: check(bcu, t) raises what is news since the last check; forget()
// when the desk moves to another BCU, whose incidents are not news.
export function alertWatch() {
  let seen = null;  // I-grade ids already known
  const breached = {};  // I-grade ids already alerted as breached
  return {
    forget() { seen = null; },
    check(bcu, t) {
      // A replay's calls are not news, and back to live nothing is news until the feed's
      // snapshot has been seen: no banner or beep, and the live feed starts afresh.
      if (live.replay) { seen = null; return; }
      const first = seen === null;
      seen = seen || {};
      const news = [];
      live.incidents.forEach((i) => {
        if (i.bcu !== bcu || i.grade !== "I" || i.status === "closed") { return; }
        if (!seen[i.incident_id]) {
          seen[i.incident_id] = true;
          if (!first) { news.push([i, "New"]); }
        }
        const late = i.status === "open" && i.target_at && Date.parse(i.target_at) <= t;
        if (late && !breached[i.incident_id]) {
          breached[i.incident_id] = true;
          if (!first) { news.push([i, "Target missed"]); }
        }
      });
      if (news.length) { raise(...news[news.length - 1]); }
    },
  };
}

// The mute button (#alert-mute), if the page has one: returns its stop().
export function muteButton() {
  const mute = document.getElementById("alert-mute");
  if (!mute) { return () => {}; }
  function show() {
    const muted = sound.muted();
    mute.textContent = muted ? "🔕 Sound off" : "🔔 Sound on";
    mute.setAttribute("aria-pressed", String(muted));
    mute.title = muted ? "Alerts are silent: click to hear them" : "Alerts beep: click to mute";
  }
  function toggle() { sound.setMuted(!sound.muted()); show(); }
  show();
  mute.addEventListener("click", toggle);
  return () => mute.removeEventListener("click", toggle);
}
