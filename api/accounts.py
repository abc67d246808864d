"""Users: who may sign in, with which role (and, for inspectors, which BCU).

Synchronous (SQLAlchemy Core); the API calls it in a worker thread. A disabled user keeps
their row, so the audit log's names always resolve to someone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from api.database import users
from api.security import Principal, Role, check_role_bcu, hash_password, verify_password
from stream.log import as_utc

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: Role
    bcu: str | None
    disabled: bool
    created_at: datetime

    @property
    def principal(self) -> Principal:
        return Principal(self.username, self.role, self.bcu)


#: Names the log gives Bluelamp itself (``bluelamp-api/recommender`` records advice): a
#: person with one of them would read, in the log, as the system.
RESERVED_NAMES = frozenset({"recommender"})


class UserExists(ValueError):
    pass


class NoSuchUser(LookupError):
    pass


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, username: str, password: str, role: Role | str, bcu: str | None = None) -> User:
        """Create a user; raises ValueError (bad name, role, BCU or password) or UserExists."""
        if not USERNAME.match(username):
            raise ValueError("a user name is 1-64 letters, digits or . _ @ -")
        if username.lower() in RESERVED_NAMES:
            raise ValueError(f"{username!r} is Bluelamp's own name in the log; choose another")
        parsed = Role(role)
        own_bcu = check_role_bcu(parsed, bcu)
        user = User(username, parsed, own_bcu, False, datetime.now(UTC))
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(users).values(
                        username=username,
                        password_hash=hash_password(password),
                        role=parsed.value,
                        bcu=own_bcu,
                        disabled=False,
                        created_at=user.created_at,
                    )
                )
        except IntegrityError:
            raise UserExists(f"user {username!r} already exists") from None
        return user

    def ensure(self, username: str, password: str, role: Role, bcu: str | None = None) -> User:
        """The demo's users: create, or reset the password and re-enable if present."""
        with self.engine.begin() as conn:
            updated = conn.execute(
                update(users)
                .where(users.c.username == username)
                .values(
                    password_hash=hash_password(password),
                    role=role.value,
                    bcu=check_role_bcu(role, bcu),
                    disabled=False,
                )
            ).rowcount
        if updated:
            return self.get(username)
        return self.add(username, password, role, bcu)

    def get(self, username: str) -> User:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            raise NoSuchUser(f"no user {username!r}")
        return _user(row)

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.username))]

    def set_disabled(self, username: str, disabled: bool = True) -> User:
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(users).where(users.c.username == username).values(disabled=disabled)
            ).rowcount
        if not changed:
            raise NoSuchUser(f"no user {username!r}")
        return self.get(username)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is right and the account enabled, else None (the time
        taken does not depend on whether the name exists)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        ok = verify_password(row.password_hash if row else None, password)
        if row is None or not ok or row.disabled:
            return None
        return _user(row)

    def active(self, username: str) -> bool:
        with self.engine.connect() as conn:
            disabled = conn.execute(
                select(users.c.disabled).where(users.c.username == username)
            ).scalar_one_or_none()
        return disabled is False


def _user(row: object) -> User:
    r = row._mapping  # type: ignore[attr-defined]
    return User(
        r["username"], Role(r["role"]), r["bcu"], bool(r["disabled"]), as_utc(r["created_at"])
    )
