// The header's own behaviour: the clock (24-hour, in the display time zone the server
// configured as data-timezone, ticking in the browser with no polling) and Sign out.
import { stop } from "./live.js";
import { request, session } from "./session.js";

const formats = {};
function tick() {
  const clock = document.getElementById("clock");
  if (!clock) { return; }
  const zone = clock.getAttribute("data-timezone") || "Europe/London";
  if (!formats[zone]) {
    formats[zone] = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit",
      hour12: false, weekday: "short", day: "2-digit", month: "short",
    });
  }
  clock.textContent = formats[zone].format(new Date());
}

function signOut() {
  return request("DELETE", "/api/session").then(() => {
    stop();
    session.me = null;
    window.location.assign("/signin");
  });
}

export function startHeader() {
  tick();
  setInterval(tick, 1000);
  document.addEventListener("click", (event) => {
    if (event.target && event.target.id === "sign-out") { signOut(); }
  });
}
