// The sign-in page: the form posts through session.js, then goes where ?next= says if that
// is a page of this origin, else to the role's home screen.
import { byId, fill, h } from "./dom.js";
import { home, signIn } from "./session.js";

// Where ?next= may send the browser after sign-in: a path of this origin, else nowhere.
// Resolved the way the browser will resolve it (it drops tabs and newlines and reads "\"
// as "/", so "/\t/evil" and "/\\evil" mean //evil), then the origin compared.
export function sameOrigin(next, origin) {
  // eslint-disable-next-line no-control-regex -- control characters are what it rejects
  if (!next || next.charAt(0) !== "/" || /[\u0000-\u001f\u007f\\]/.test(next)) { return null; }
  let url;
  try { url = new URL(next, origin); } catch { return null; }
  // "/.//evil" resolves to the path "//evil", which assign() would read as another host.
  if (url.origin !== origin || url.pathname.indexOf("//") === 0 || url.pathname.indexOf("/signin") === 0) { return null; }
  return url.pathname + url.search + url.hash;
}

// Plain inputs, made here rather than by Dash (dashboard/signin.py says why): nothing but
// the browser holds their value, so every keystroke stays, however fast it comes.
function fields() {
  const box = byId("signin-fields");
  if (!box || byId("signin-user")) { return; }
  fill(box,
    h("label", {}, "User name", h("input", { id: "signin-user", name: "username", type: "text", autocomplete: "username", autocapitalize: "none", spellcheck: "false", required: true })),
    h("label", {}, "Password", h("input", { id: "signin-password", name: "password", type: "password", autocomplete: "current-password", required: true })));
  byId("signin-user").focus();
}

export function signin(root) {
  const form = byId("signin-form");
  fields();
  function submit(event) {
    event.preventDefault();
    const error = byId("signin-error");
    error.textContent = "";
    signIn(byId("signin-user").value, byId("signin-password").value).then((answer) => {
      if (answer.status !== 200) {
        error.textContent = answer.body.detail || "Sign-in failed";
        return;
      }
      const next = new URLSearchParams(window.location.search).get("next");
      window.location.assign(sameOrigin(next, window.location.origin) || home(answer.body.role));
    });
  }
  form.addEventListener("submit", submit);
  return { root, stop() { form.removeEventListener("submit", submit); } };
}
