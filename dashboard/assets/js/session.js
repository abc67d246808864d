// The browser session and the one place a page talks to the API over HTTP: sign in and out
// through POST/DELETE /api/session (the token stays in an HTTP-only cookie no script can
// read); every write carries the CSRF token from the readable cookie. Every failed request
// answers with its reason (status and detail, or the network's own words). A request
// answered 401 means the session has ended: onEnded listeners are told why.

export const session = {
  me: null,         // GET /api/me's answer once signed in
  expired: null,    // why the session ended, while it has
};

const endedListeners = [];

export function onEnded(listener) { endedListeners.push(listener); }

// The session ended (expired, signed out elsewhere, account disabled): said once.
export function end(reason) {
  if (session.expired) { return; }
  session.expired = reason;
  endedListeners.forEach((listener) => listener(reason));
}

export function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.indexOf(name + "=") === 0);
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

// {status, body}: status 0 when nothing answered, with the browser's words as the detail.
export function request(method, path, body, form) {
  const options = { method, headers: {}, credentials: "same-origin" };
  if (form) {
    options.headers["Content-Type"] = "application/x-www-form-urlencoded";
    options.body = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  if (method !== "GET") { options.headers["X-CSRF-Token"] = cookie("bluelamp_csrf"); }
  return fetch(path, options).then((response) => response.json().catch(() => ({})).then((json) => {
    if (response.status === 401 && session.me && path.indexOf("/api/session") !== 0) {
      end(json.detail || "your session has ended");
    }
    return { status: response.status, body: json };
  }), (error) => ({ status: 0, body: { detail: "no answer from the server (" + ((error && error.message) || error) + ")" } }));
}

export function signIn(username, password) {
  return request("POST", "/api/session", undefined, { username, password });
}

// Signed in again in place (the session dialog): the session is current once more.
export function resumed() { session.expired = null; }

const HOME = { commander: "/wall", inspector: "/inspector", planner: "/planner", wall: "/wall" };
export function home(role) { return HOME[role] || "/wall"; }

function here() { return window.location.pathname + window.location.search; }

// Who is signed in; anyone else goes to the sign-in page and comes back afterwards.
export function requireSignIn() {
  if (session.me) { return Promise.resolve(session.me); }
  function away() {
    window.location.assign("/signin?next=" + encodeURIComponent(here()));
    return new Promise(() => {});  // never settles: the page is going away
  }
  // No CSRF cookie, no session: go straight to sign-in rather than ask and be refused.
  if (!cookie("bluelamp_csrf")) { return away(); }
  return request("GET", "/api/me").then((answer) => {
    if (answer.status !== 200) { return away(); }
    session.me = answer.body;
    const user = document.getElementById("user");
    if (user) { user.textContent = answer.body.user + " · " + answer.body.role + (answer.body.bcu ? " " + answer.body.bcu : ""); }
    return answer.body;
  });
}
