// The sign-in page: the form posts through bluelamp.session, then goes where ?next= says
// if that is a page of this origin.
(function () {
  "use strict";
  var B = window.bluelamp, ui = B.ui, session = B.session;
  var el = ui.el;
  // Where ?next= may send the browser after sign-in: a path of this origin, else nowhere.
  // Resolved the way the browser will resolve it (it drops tabs and newlines and reads "\"
  // as "/", so "/\t/evil" and "/\\evil" mean //evil), then the origin compared.
  function sameOrigin(next) {
    // eslint-disable-next-line no-control-regex -- control characters are what it rejects
    if (!next || next.charAt(0) !== "/" || /[\u0000-\u001f\u007f\\]/.test(next)) { return null; }
    var url;
    try { url = new URL(next, window.location.origin); } catch (e) { return null; }
    // "/.//evil" resolves to the path "//evil", which assign() would read as another host.
    if (url.origin !== window.location.origin || url.pathname.indexOf("//") === 0
        || url.pathname.indexOf("/signin") === 0) { return null; }
    return url.pathname + url.search + url.hash;
  }

  // Plain inputs, made here rather than by Dash (dashboard/signin.py says why): nothing but
  // the browser holds their value, so every keystroke stays, however fast it comes.
  function fields() {
    var box = el("signin-fields");
    if (!box || el("signin-user")) { return; }
    box.innerHTML =
      "<label>User name<input id='signin-user' name='username' type='text' autocomplete='username' autocapitalize='none' spellcheck='false' required></label>" +
      "<label>Password<input id='signin-password' name='password' type='password' autocomplete='current-password' required></label>";
    el("signin-user").focus();
  }

  function signin(root) {
    var form = el("signin-form");
    fields();
    function submit(event) {
      event.preventDefault();
      var error = el("signin-error");
      error.textContent = "";
      session.signIn(el("signin-user").value, el("signin-password").value).then(function (answer) {
        if (answer.status !== 200) {
          error.textContent = answer.body.detail || "Sign-in failed";
          return;
        }
        window.location.assign(sameOrigin(new URLSearchParams(window.location.search).get("next"))
          || session.home(answer.body.role));
      });
    }
    form.addEventListener("submit", submit);
    return { root: root, stop: function () { form.removeEventListener("submit", submit); } };
  }

  B.screens.signin = signin;
})();
