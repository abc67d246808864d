// The live feed's socket: one WebSocket on /ws for the whole single-page app, its frames
// applied to the store (store.js). On a lost connection it reconnects with ?since=<last
// seq>: the server replays exactly what was missed. A close with 4401 means the session
// ended under an open page: the page stays, the feed resumes once signed in again.
import { apply, disconnected, live } from "./store.js";
import { end } from "./session.js";

let socket = null;
let retry = 0;
let stopped = true;

export function start() {
  if (!stopped) { return; }
  stopped = false;
  connect();
}

export function stop() {
  stopped = true;
  if (socket) { socket.close(); }
}

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  const url = scheme + window.location.host + "/ws" + (live.seq ? "?since=" + live.seq : "");
  const mine = new WebSocket(url);
  socket = mine;
  mine.onopen = () => { retry = 0; };
  // Once stopped (a replay took the store over), frames still in flight are not applied.
  mine.onmessage = (message) => { if (socket === mine && !stopped) { apply(JSON.parse(message.data)); } };
  mine.onclose = (event) => {
    if (socket !== mine) { return; }
    disconnected();
    if (stopped) { return; }
    if (event.code === 4401) {
      stopped = true;
      end(event.reason || "your session has ended");
      return;
    }
    const delay = Math.min(5000, 300 * Math.pow(2, retry++));
    setTimeout(connect, delay);
  };
}
