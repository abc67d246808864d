"""The sign-in page: a plain form the browser script posts to ``POST /api/session``.

The session cookie it sets is HTTP-only, so no page script ever holds the token; the CSRF
token that comes back goes with every write (assets/live.js).
"""

from __future__ import annotations

from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids


def signin_page() -> Component:
    return html.Div(
        className="bl-signin",
        children=[
            html.Form(
                id=ids.SIGNIN_FORM,
                className="bl-signin-form",
                # Submitted by assets/live.js (fetch), never by the browser to this URL.
                action="#",
                children=[
                    html.H2("Sign in"),
                    html.Label(
                        [
                            "User name",
                            dcc.Input(
                                id=ids.SIGNIN_USER,
                                type="text",
                                autoComplete="username",
                                autoFocus=True,
                                debounce=True,
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            "Password",
                            dcc.Input(
                                id=ids.SIGNIN_PASSWORD,
                                type="password",
                                autoComplete="current-password",
                                debounce=True,
                            ),
                        ]
                    ),
                    html.Button("Sign in", type="submit", className="bl-button bl-primary"),
                    html.P(id=ids.SIGNIN_ERROR, className="bl-error", role="alert"),
                ],
            )
        ],
    )
