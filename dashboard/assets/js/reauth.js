// The dialog that signs in again in place when the session ends under an open page: what
// the page shows (selection included) is kept, and the live feed resumes where it was.
import { h } from "./dom.js";
import { banner } from "./feed.js";
import { start } from "./live.js";
import { onEnded, request, resumed, session } from "./session.js";

function dialog() {
  const password = h("input", { type: "password", id: "session-password", autocomplete: "current-password" });
  const error = h("p", { class: "bl-error", role: "alert" });
  const form = h("form", { id: "session-prompt", class: "bl-session-prompt", role: "alertdialog" },
    h("p", { class: "bl-session-reason" }),
    h("label", {}, "Password for ", h("b", { class: "bl-session-user" }), " ", password),
    h("button", { type: "submit", class: "bl-button bl-primary" }, "Sign in again"),
    " ", h("a", { class: "bl-session-link" }, "or use the sign-in page"), error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    request("POST", "/api/session", undefined, { username: session.me.user, password: password.value }).then((answer) => {
      if (answer.status !== 200) {
        error.textContent = answer.status + ": " + (answer.body.detail || "sign-in failed");
        return;
      }
      form.remove();
      resumed();
      banner();
      start();
    });
  });
  document.body.appendChild(form);
  return form;
}

function ask(reason) {
  const form = document.getElementById("session-prompt") || dialog();
  form.querySelector(".bl-session-reason").textContent = "Signed out: " + reason + ". What you see is kept; sign in again to carry on.";
  form.querySelector(".bl-session-user").textContent = (session.me && session.me.user) || "";
  const here = window.location.pathname + window.location.search + window.location.hash;
  form.querySelector(".bl-session-link").href = "/signin?next=" + encodeURIComponent(here);
  form.querySelector("input").value = "";
}

export function watchSession() { onEnded(ask); }
