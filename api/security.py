"""Who is calling: roles, password hashes, Bluelamp's own signed tokens, OpenID Connect.

A credential resolves to a :class:`Principal` (name, role, BCU). Bluelamp signs its own
tokens (HS256 with the configured secret) after a password sign-in; a deployment with an
identity provider configures its issuer and JWKS, and bearer tokens from it are accepted
with the role (and BCU) read from configured claims.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api.settings import ApiSettings
from stream.events import BCU_CODES

ISSUER = "bluelamp"
ALGORITHM = "HS256"
# Words that must never make up a signing secret (examples people paste from docs); a
# secret that is one of them repeated, with or without separators, is refused too.
KNOWN_WEAK_SECRETS = {
    "secret", "changeme", "change-me", "change_me", "bluelamp", "dev", "test", "password",
    "default", "example", "admin", "letmein", "qwerty", "123456", "0123456789",
}  # fmt: skip
MIN_SECRET_LENGTH = 32
# token_hex gives 16 distinct characters at most; 32 characters of fewer than 10 distinct
# ones is a pattern, not a random secret.
MIN_SECRET_DISTINCT = 10
SECRET_ADVICE = (
    f"use a random secret of at least {MIN_SECRET_LENGTH} characters "
    "with no spaces (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
)


class Role(StrEnum):
    COMMANDER = "commander"  # everything operational, all BCUs
    INSPECTOR = "inspector"  # sees all; commands only on units currently in their BCU
    PLANNER = "planner"  # sees all, reports and exports; no commands
    FEED = "feed"  # pushes events only (a service account)
    # A wall screen's kiosk account: the picture, advice and live feed, nothing else; its
    # session lasts days (ApiSettings.wall_session_days), since nobody is there to sign in.
    WALL = "wall"


READERS = frozenset({Role.COMMANDER, Role.INSPECTOR, Role.PLANNER})
# Who may watch the live picture (GET /api/picture, /api/advice, /ws): the readers and walls.
VIEWERS = READERS | {Role.WALL}
_ROLE_NAMES = frozenset(r.value for r in Role)


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    role: Role
    bcu: str | None = None  # an inspector's own BCU
    via: str = "token"  # token | cookie | oidc
    token_id: str | None = None  # the token's jti: what signing out revokes
    expires: int | None = None  # the token's exp (Unix seconds): when a live socket closes


class InvalidCredential(Exception):
    """The credential is missing, malformed, expired or revoked; the message says which."""


class InsecureSettings(RuntimeError):
    """The server must not start with these settings."""


def command_reach(role: Role) -> str:
    """Which units a role's commands may move: ``all``, ``own_bcu`` (units deployed to the
    caller's BCU, as api.commanding and the sequencer hold it) or ``none``."""
    return {Role.COMMANDER: "all", Role.INSPECTOR: "own_bcu"}.get(role, "none")


def check_role_bcu(role: Role, bcu: str | None) -> str | None:
    """Normalised BCU for a role: inspectors must have a Met BCU, other roles none."""
    if role is Role.INSPECTOR:
        if bcu is None or bcu.upper() not in BCU_CODES:
            raise ValueError(f"an inspector needs a BCU, one of {', '.join(sorted(BCU_CODES))}")
        return bcu.upper()
    if bcu is not None:
        raise ValueError(f"a {role.value} covers all BCUs; give --bcu only for an inspector")
    return None


# -- passwords --------------------------------------------------------------------------

_HASHER = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs as long as a wrong
# password and sign-in timing does not reveal which names exist.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


# -- Bluelamp's own tokens ------------------------------------------------------------------


def secret_problem(secret: str) -> str | None:
    """Why ``secret`` must not sign tokens (a sentence saying what is needed), or None."""
    if any(c.isspace() for c in secret):
        return f"BLUELAMP_SECRET_KEY contains whitespace; {SECRET_ADVICE}"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"BLUELAMP_SECRET_KEY is {len(secret)} characters long; {SECRET_ADVICE}"
    words = "".join(c for c in secret.lower() if c.isalnum())
    if any(words == w * (len(words) // len(w)) for w in KNOWN_WEAK_SECRETS if w and words):
        return f"BLUELAMP_SECRET_KEY is a well-known example value; {SECRET_ADVICE}"
    if _period(secret) <= len(secret) // 2:
        return f"BLUELAMP_SECRET_KEY is a short pattern repeated; {SECRET_ADVICE}"
    if len(set(secret)) < MIN_SECRET_DISTINCT:
        return (
            f"BLUELAMP_SECRET_KEY uses only {len(set(secret))} different characters "
            f"(at least {MIN_SECRET_DISTINCT} needed); {SECRET_ADVICE}"
        )
    return None


def _period(text: str) -> int:
    """The length of the shortest unit ``text`` repeats (its own length if none)."""
    return next(
        (
            n
            for n in range(1, len(text) // 2 + 1)
            if (text[:n] * (len(text) // n + 1)).startswith(text)
        ),
        len(text),
    )


def signing_key(settings: ApiSettings) -> str:
    """The secret that signs tokens; refuses a weak one always and a missing one outside
    demo mode, saying what is needed.

    In demo mode with no secret configured, a random one is kept in ``var/demo-secret`` so
    sessions survive a restart of the demo (a browser test restarts the server)."""
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    if configured:
        if (problem := secret_problem(configured)) is not None:
            raise InsecureSettings(problem)
        return configured
    if not settings.demo:
        raise InsecureSettings(
            f"BLUELAMP_SECRET_KEY must be set outside demo mode; {SECRET_ADVICE}"
        )
    path = Path("var/demo-secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def session_minutes(role: Role, settings: ApiSettings) -> int:
    """How long a signed-in session of ``role`` lasts: a person's working shift, a wall's
    days (its account can only read, and disabling it or signing it out ends it at once)."""
    return settings.wall_session_days * 1440 if role is Role.WALL else settings.token_minutes


def issue_token(principal: Principal, key: str, minutes: int) -> tuple[str, int]:
    """A signed token for ``principal`` and its lifetime in seconds."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": principal.name,
        "role": principal.role.value,
        "iat": now,
        "exp": now + minutes * 60,
        "jti": uuid.uuid4().hex,
    }
    if principal.bcu:
        claims["bcu"] = principal.bcu
    return jwt.encode(claims, key, algorithm=ALGORITHM), minutes * 60


def read_token(token: str, key: str, oidc: OidcVerifier | None = None) -> Principal:
    """The principal a bearer token names, or :class:`InvalidCredential` saying why."""
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise InvalidCredential("the token is not a JWT") from None
    if oidc is not None and unverified.get("iss") == oidc.issuer:
        return oidc.read(token)
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        raise InvalidCredential("the token has expired; sign in again") from None
    except jwt.InvalidTokenError as exc:
        raise InvalidCredential(f"the token is not valid: {exc}") from None
    return _principal(claims.get("sub"), claims.get("role"), claims.get("bcu"), "token", claims)


def _principal(
    name: object, role: object, bcu: object, via: str, claims: dict[str, Any]
) -> Principal:
    if not isinstance(name, str) or not name:
        raise InvalidCredential("the token names no user")
    try:
        parsed = Role(str(role))
    except ValueError:
        raise InvalidCredential(f"the token's role {role!r} is not a Bluelamp role") from None
    try:
        own_bcu = check_role_bcu(parsed, bcu if isinstance(bcu, str) else None)
    except ValueError as exc:
        raise InvalidCredential(str(exc)) from None
    jti, exp = claims.get("jti"), claims.get("exp")
    return Principal(
        name,
        parsed,
        own_bcu,
        via,
        token_id=jti if isinstance(jti, str) and jti else None,
        expires=exp if isinstance(exp, int) else None,
    )


# -- OpenID Connect -------------------------------------------------------------------------


class OidcVerifier:
    """Checks bearer tokens from a configured OpenID Connect issuer against its JWKS."""

    def __init__(self, settings: ApiSettings) -> None:
        assert settings.oidc_issuer and settings.oidc_jwks_url
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience
        self.role_claim = settings.oidc_role_claim
        self.bcu_claim = settings.oidc_bcu_claim
        self._jwks = jwt.PyJWKClient(settings.oidc_jwks_url, cache_keys=True, lifespan=300)

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> OidcVerifier | None:
        if not settings.oidc_issuer:
            return None
        if not settings.oidc_jwks_url:
            raise InsecureSettings("BLUELAMP_OIDC_ISSUER needs BLUELAMP_OIDC_JWKS_URL")
        return cls(settings)

    def read(self, token: str) -> Principal:
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256", "ES256", "PS256", "EdDSA"],
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["exp", "sub"], "verify_aud": self.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidCredential("the identity provider's token has expired") from None
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as exc:
            raise InvalidCredential(f"the identity provider's token is not valid: {exc}") from None
        name = claims.get("preferred_username") or claims.get("sub")
        role = claims.get(self.role_claim)
        if isinstance(role, list):  # providers often send roles as a list: take ours
            role = next((r for r in role if r in _ROLE_NAMES), None)
        return _principal(name, role, claims.get(self.bcu_claim), "oidc", claims)
