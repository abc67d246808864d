// Bluelamp's browser session and live feed: the one place a page talks to the API.
//
// bluelamp.session: sign in/out through POST/DELETE /api/session (the token stays in an
// HTTP-only cookie no script can read); every write carries the CSRF token from the readable
// cookie. bluelamp.live: one WebSocket on /ws for the whole single-page app. Frames are
// applied to an in-browser store (incidents and units by id, KPIs, advice) as they arrive;
// screens subscribe with bluelamp.live.onChange and are told once per animation frame what
// changed, so a burst of frames costs one repaint. On a lost connection a banner shows and
// the feed resumes with ?since=<last seq>: the server replays exactly what was missed. The
// banner also shows, with the server's reason, while a status frame says the feed is held up.
// Commands are refused in the browser while the banner shows (bluelamp.session.commandable),
// since nothing confirms them then; every failed request answers with its reason (status
// and detail, or the network's own words). A request answered 401 means the session has
// ended: a sign-in dialog opens over the page, which stays as it is (selection included).
(function () {
  "use strict";
  var B = (window.bluelamp = Object.assign({}, window.bluelamp));

  function cookie(name) {
    var found = document.cookie.split("; ").find(function (c) { return c.indexOf(name + "=") === 0; });
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function request(method, path, body, form) {
    var options = { method: method, headers: {}, credentials: "same-origin" };
    if (form) {
      options.headers["Content-Type"] = "application/x-www-form-urlencoded";
      options.body = new URLSearchParams(form).toString();
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    if (method !== "GET") { options.headers["X-CSRF-Token"] = cookie("bluelamp_csrf"); }
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        var answer = { status: response.status, body: json };
        if (response.status === 401 && B.session.me && path.indexOf("/api/session") !== 0) {
          ended(json.detail || "your session has ended");
        }
        return answer;
      });
    }, function (error) {
      // No answer at all (server down, network gone): status 0 and the browser's words.
      return { status: 0, body: { detail: "no answer from the server (" + (error && error.message || error) + ")" } };
    });
  }

  // Why a command cannot be sent now, or "" if it can: a signed-out session, a lost or
  // held-up feed. Screens ask before sending and mark their command buttons.
  function blocked() {
    if (B.session.expired) { return "Your session has ended: sign in again to send commands."; }
    if (!B.live.connected) { return "Not connected: commands are off until the live feed is back."; }
    if (B.live.heldUp) { return "Live feed held up: commands are off until it recovers."; }
    return "";
  }

  // Every button that sends a command carries data-command; it is disabled (with the reason
  // as its title) while commands cannot be sent.
  function syncCommands() {
    var why = blocked();
    document.querySelectorAll("button[data-command]").forEach(function (button) {
      if (button.disabled !== !!why) { button.disabled = !!why; }
      if (why) { button.title = why; } else { button.removeAttribute("title"); }
    });
    document.body.classList.toggle("bl-commands-off", !!why);
  }

  // The session ended (expired, signed out elsewhere, account disabled). The page keeps
  // its state; a dialog signs in again in place and the live feed resumes where it was.
  function ended(reason) {
    if (B.session.expired) { return; }
    B.session.expired = reason;
    banner();
    var dialog = document.getElementById("session-prompt");
    if (!dialog) {
      dialog = document.createElement("form");
      dialog.id = "session-prompt";
      dialog.className = "bl-session-prompt";
      dialog.setAttribute("role", "alertdialog");
      dialog.innerHTML = "<p class='bl-session-reason'></p>" +
        "<label>Password for <b class='bl-session-user'></b> <input type='password' id='session-password' autocomplete='current-password'></label>" +
        "<button type='submit' class='bl-button bl-primary'>Sign in again</button>" +
        " <a class='bl-session-link'>or use the sign-in page</a><p class='bl-error' role='alert'></p>";
      dialog.addEventListener("submit", function (event) {
        event.preventDefault();
        var me = B.session.me;
        request("POST", "/api/session", undefined, { username: me.user, password: dialog.querySelector("input").value }).then(function (answer) {
          if (answer.status !== 200) {
            dialog.querySelector(".bl-error").textContent = answer.status + ": " + (answer.body.detail || "sign-in failed");
            return;
          }
          dialog.remove();
          B.session.expired = null;
          banner();
          if (B.live._stopped) { B.live.start(); }
        });
      });
      document.body.appendChild(dialog);
    }
    dialog.querySelector(".bl-session-reason").textContent = "Signed out: " + reason + ". What you see is kept; sign in again to carry on.";
    dialog.querySelector(".bl-session-user").textContent = (B.session.me && B.session.me.user) || "";
    var here = window.location.pathname + window.location.search + window.location.hash;
    dialog.querySelector(".bl-session-link").href = "/signin?next=" + encodeURIComponent(here);
    dialog.querySelector("input").value = "";
  }

  var HOME = { commander: "/wall", inspector: "/inspector", planner: "/planner", wall: "/wall" };

  B.session = {
    me: null,
    request: request,
    signIn: function (username, password) {
      return request("POST", "/api/session", undefined, { username: username, password: password });
    },
    signOut: function () {
      return request("DELETE", "/api/session").then(function () {
        B.live.stop();
        B.session.me = null;
        window.location.assign("/signin");
      });
    },
    // Who is signed in; anyone else goes to the sign-in page and comes back afterwards.
    require: function () {
      if (B.session.me) { return Promise.resolve(B.session.me); }
      function away() {
        var next = window.location.pathname + window.location.search;
        window.location.assign("/signin?next=" + encodeURIComponent(next));
        return new Promise(function () {});  // never settles: the page is going away
      }
      // No CSRF cookie, no session: go straight to sign-in rather than ask and be refused.
      if (!cookie("bluelamp_csrf")) { return away(); }
      return request("GET", "/api/me").then(function (answer) {
        if (answer.status !== 200) { return away(); }
        B.session.me = answer.body;
        var user = document.getElementById("user");
        if (user) { user.textContent = answer.body.user + " · " + answer.body.role + (answer.body.bcu ? " " + answer.body.bcu : ""); }
        return answer.body;
      });
    },
    home: function (role) { return HOME[role] || "/wall"; },
    expired: null,          // why the session ended, while it has
    blocked: blocked,
    syncCommands: syncCommands,
    ended: ended,
  };

  // -- the live store --------------------------------------------------------------------

  var live = (B.live = {
    seq: 0,
    incidents: new Map(),   // open incidents by id (closed ones leave)
    units: new Map(),       // on-duty units by id
    kpis: null,
    bcus: {},
    advice: null,
    connected: false,
    heldUp: null,           // why the server says the feed is held up, while it does
    lastFrameAt: null,      // when the last frame (or heartbeat) arrived, by this clock
    lastEventTime: null,    // the event time of the newest event applied
    applied: [],            // per repaint: [seq, epoch ms, apply ms] (tests, benchmarks)
    frames: 0,
    _socket: null,
    _listeners: [],
    _pending: { reset: false, incidents: new Set(), units: new Set(), advice: false },
    _scheduled: false,
    _retry: 0,
    _stopped: true,
  });

  live.onChange = function (listener) {
    live._listeners.push(listener);
    return function () { live._listeners = live._listeners.filter(function (l) { return l !== listener; }); };
  };

  live.start = function () {
    if (!live._stopped) { return; }
    live._stopped = false;
    connect();
  };

  live.stop = function () {
    live._stopped = true;
    if (live._socket) { live._socket.close(); }
  };

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + "/ws" + (live.seq ? "?since=" + live.seq : "");
    var socket = new WebSocket(url);
    live._socket = socket;
    socket.onopen = function () { live._retry = 0; };
    socket.onmessage = function (message) { onFrame(JSON.parse(message.data)); };
    socket.onclose = function (event) {
      if (live._socket !== socket) { return; }
      live.connected = false;
      live.heldUp = null;  // the next socket says again if the feed is still held up
      banner();
      freshness();
      if (live._stopped) { return; }
      if (event.code === 4401) {
        // The session ended under an open page: keep the page, ask to sign in again; the
        // feed resumes (?since=) once that succeeds.
        live._stopped = true;
        ended(event.reason || "your session has ended");
        return;
      }
      var delay = Math.min(5000, 300 * Math.pow(2, live._retry++));
      setTimeout(connect, delay);
    };
  }

  // Shown while the socket is down, and while the server says the feed is held up (Redis
  // or the database not answering, events waiting to be logged): the socket alone can stay
  // open through such an outage while nothing new arrives.
  var LOST = "Live feed lost: reconnecting. What you see may be out of date.";
  function banner() {
    var element = document.getElementById("feed-banner");
    if (!element) { return; }
    var text = B.session.expired ? "Signed out: the live feed is paused until you sign in again. What you see may be out of date."
      : !live.connected ? LOST
      : live.heldUp ? "Live feed held up: " + live.heldUp + ". What you see may be out of date."
      : "";
    if (text && element.textContent !== text) { element.textContent = text; }
    element.hidden = !text;
    syncCommands();
  }

  function keep(incident) { return incident && incident.status !== "closed"; }

  live.apply = function (frame) { onFrame(frame); };  // a frame from elsewhere (replays, benchmarks)

  function onFrame(frame) {
    var pending = live._pending;
    live.lastFrameAt = Date.now();
    if (frame.type === "snapshot") {
      live.incidents = new Map();
      live.units = new Map();
      frame.picture.incidents.forEach(function (i) { if (keep(i)) { live.incidents.set(i.incident_id, i); } });
      frame.picture.units.forEach(function (u) { if (u.status !== "off_duty") { live.units.set(u.unit_id, u); } });
      live.kpis = frame.picture.kpis;
      live.bcus = frame.picture.bcus;
      live.advice = frame.advice;
      live.lastEventTime = frame.picture.as_of;
      pending.reset = true;
      pending.advice = true;
    } else if (frame.type === "events") {
      var state = frame.state;
      Object.keys(state.incidents).forEach(function (id) {
        var incident = state.incidents[id];
        if (keep(incident)) { live.incidents.set(id, incident); } else { live.incidents.delete(id); }
        pending.incidents.add(id);
      });
      Object.keys(state.units).forEach(function (id) {
        var unit = state.units[id];
        if (unit && unit.status !== "off_duty") { live.units.set(id, unit); } else { live.units.delete(id); }
        pending.units.add(id);
      });
      live.kpis = frame.kpis;
      live.bcus = frame.kpis.bcus || live.bcus;
      if (frame.advice) { live.advice = frame.advice; pending.advice = true; }
      var events = frame.events;
      if (events.length) { live.lastEventTime = events[events.length - 1].event.time; }
    } else if (frame.type === "advice") {
      live.advice = frame.advice;
      pending.advice = true;
    } else if (frame.type === "status") {
      live.heldUp = frame.ok ? null : frame.reason;
    } else if (frame.type === "error") {
      console.warn("live feed: " + frame.code + ": " + frame.reason);
      return;
    }
    if (frame.seq !== undefined) { live.seq = frame.seq; }
    live.frames += 1;
    if (!live.connected || frame.type === "status") { live.connected = true; banner(); }
    schedule();
  }

  function schedule() {
    if (live._scheduled) { return; }
    live._scheduled = true;
    requestAnimationFrame(flush);
  }

  function flush() {
    live._scheduled = false;
    var change = live._pending;
    live._pending = { reset: false, incidents: new Set(), units: new Set(), advice: false };
    var started = performance.now();
    live._listeners.forEach(function (listener) {
      try { listener(change); } catch (error) { console.error(error); }
    });
    var done = performance.now();
    // [seq on screen, when (ms since the epoch), how long the screens took to apply it]
    live.applied.push([live.seq, performance.timeOrigin + done, done - started]);
    if (live.applied.length > 5000) { live.applied.splice(0, 2500); }
    if (!live._freshnessShown) { live._freshnessShown = true; freshness(); }
  }

  // "seq 1234 · 3 s ago": the newest data on screen and how long since the server last
  // spoke (a heartbeat counts: a quiet feed is not a dead one).
  function freshness() {
    var element = document.getElementById("freshness");
    if (!element) { return; }
    if (!live.lastFrameAt) { element.textContent = "waiting for the live feed"; return; }
    var age = Math.round((Date.now() - live.lastFrameAt) / 1000);
    element.textContent = "seq " + live.seq + " · " + (age < 1 ? "now" : age + " s ago");
    element.classList.toggle("bl-stale", !live.connected || age > 30);
  }
  setInterval(freshness, 1000);
})();
