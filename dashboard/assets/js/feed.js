// What the header says about the live feed, and whether commands may be sent: the banner
// (feed lost, held up, signed out), "seq 1234 · 3 s ago", and every command button
// (data-command) disabled with the reason while nothing would confirm a command.
import { live, onChange, onFeedState } from "./store.js";
import { onEnded, session } from "./session.js";

// Why a command cannot be sent now, or "" if it can: a signed-out session, a lost or
// held-up feed. Screens ask before sending and mark their command buttons.
export function blocked() {
  if (live.replay) { return "Replay: commands are off. Back to live to act."; }
  if (session.expired) { return "Your session has ended: sign in again to send commands."; }
  if (!live.connected) { return "Not connected: commands are off until the live feed is back."; }
  if (live.heldUp) { return "Live feed held up: commands are off until it recovers."; }
  return "";
}

// Every button that sends a command carries data-command; it is disabled (with the reason
// as its title) while commands cannot be sent.
export function syncCommands() {
  const why = blocked();
  document.querySelectorAll("button[data-command]").forEach((button) => {
    if (button.disabled !== !!why) { button.disabled = !!why; }
    if (why) { button.title = why; } else { button.removeAttribute("title"); }
  });
  document.body.classList.toggle("bl-commands-off", !!why);
}

// Shown while the socket is down, and while the server says the feed is held up (Redis
// or the database not answering, events waiting to be logged): the socket alone can stay
// open through such an outage while nothing new arrives.
const LOST = "Live feed lost: reconnecting. What you see may be out of date.";
export function banner() {
  const element = document.getElementById("feed-banner");
  if (element) {
    const text = live.replay ? ""  // the replay bar (replay.js) says so, in its own colours
      : session.expired ? "Signed out: the live feed is paused until you sign in again. What you see may be out of date."
      : !live.connected ? LOST
      : live.heldUp ? "Live feed held up: " + live.heldUp + ". What you see may be out of date."
      : "";
    if (text && element.textContent !== text) { element.textContent = text; }
    element.hidden = !text;
  }
  syncCommands();
}

// "seq 1234 · 3 s ago": the newest data on screen and how long since the server last
// spoke (a heartbeat counts: a quiet feed is not a dead one).
export function freshness() {
  const element = document.getElementById("freshness");
  if (!element) { return; }
  if (live.replay) { element.textContent = "replay · seq " + live.seq; element.classList.remove("bl-stale"); return; }
  if (!live.lastFrameAt) { element.textContent = "waiting for the live feed"; return; }
  const age = Math.round((Date.now() - live.lastFrameAt) / 1000);
  element.textContent = "seq " + live.seq + " · " + (age < 1 ? "now" : age + " s ago");
  element.classList.toggle("bl-stale", !live.connected || age > 30);
}

export function watchFeed() {
  onFeedState(() => { banner(); freshness(); });
  onEnded(banner);
  const first = onChange(() => { first(); freshness(); });
  setInterval(freshness, 1000);
}
