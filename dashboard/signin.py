"""The sign-in page: a plain form the browser script posts to ``POST /api/session``.

The session cookie it sets is HTTP-only, so no page script ever holds the token; the CSRF
token that comes back goes with every write (assets/js/session.js).

The user name and password fields are plain HTML inputs that assets/js/signin.js puts
in ``signin-fields``, not Dash inputs: a Dash input is a controlled React component whose
value makes a round trip through its props, and under load (or a password manager typing
everything in one go) it lost keystrokes. Nothing on the server ever needs their value.
"""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard import ids


def signin_page() -> Component:
    return html.Div(
        className="bl-signin",
        children=[
            html.Form(
                id=ids.SIGNIN_FORM,
                className="bl-signin-form",
                # Submitted by assets/js/session.js (fetch), never by the browser to this URL.
                action="#",
                children=[
                    html.H2("Sign in"),
                    html.Div(id=ids.SIGNIN_FIELDS, className="bl-signin-fields"),
                    html.Button("Sign in", type="submit", className="bl-button bl-primary"),
                    html.P(id=ids.SIGNIN_ERROR, className="bl-error", role="alert"),
                ],
            )
        ],
    )
