"""Staff accounts, sessions, login rate limits and CSRF tokens.

- Passwords are hashed with Argon2id (argon2-cffi's PasswordHasher, its current defaults);
  old hashes are upgraded at the next login.
- A session is a random 256-bit token in a cookie (Secure, HttpOnly, SameSite=Strict, path
  /staff); the database keeps only its SHA-256. A session ends after `idle_seconds` without
  a request, after `max_seconds` in all, and at logout.
- Failed logins are counted per account and per IP address in a sliding window; past the
  limit a login is refused (also with the right password) until the window has passed.
- Every session has its own CSRF token, put in every form and checked on every POST.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from web.staff import db
from web.staff.db import Databases

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
# Verified against when the account does not exist, so both cases take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AuthError(ValueError):
    pass


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    is_admin: bool


@dataclass(frozen=True)
class Session:
    staff: Staff
    token_hash: str
    csrf_token: str


@dataclass(frozen=True)
class LoginPolicy:
    max_failures_per_user: int = 5
    max_failures_per_ip: int = 20
    window_seconds: int = 15 * 60
    idle_seconds: int = 30 * 60
    max_seconds: int = 12 * 60 * 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def create_user(databases: Databases, username: str, password: str, is_admin: bool = False) -> Staff:
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise AuthError("Gebruikersnaam: 2 tot 32 tekens, kleine letters, cijfers, . _ of -.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Wachtwoord: minstens {MIN_PASSWORD_LENGTH} tekens.")
    with databases.staff.begin() as connection:
        exists = connection.execute(sa.select(db.users.c.id)
                                    .where(db.users.c.username == username)).first()
        if exists:
            raise AuthError(f"Er is al een account '{username}'.")
        result = connection.execute(db.users.insert().values(
            username=username, password_hash=_hasher.hash(password), is_admin=is_admin,
            active=True, created_at=time.time()))
        return Staff(int(result.inserted_primary_key[0]), username, is_admin)


def set_password(databases: Databases, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Wachtwoord: minstens {MIN_PASSWORD_LENGTH} tekens.")
    with databases.staff.begin() as connection:
        user = connection.execute(sa.select(db.users.c.id).where(
            db.users.c.username == normalise_username(username))).first()
        if user is None:
            raise AuthError("Dat account bestaat niet.")
        connection.execute(db.users.update().where(db.users.c.id == user.id)
                           .values(password_hash=_hasher.hash(password)))
        connection.execute(db.sessions.delete().where(db.sessions.c.user_id == user.id))


def _failures(connection, key: str, since: float) -> int:
    f = db.login_failures.c
    return int(connection.execute(sa.select(sa.func.count()).select_from(db.login_failures)
                                  .where(f.key == key, f.at >= since)).scalar_one())


def login(databases: Databases, username: str, password: str, ip: str,
          policy: LoginPolicy, now: Optional[float] = None) -> tuple:
    """Checks a login. Returns ("ok", token, Session), ("locked", None, None) or
    ("invalid", None, None)."""
    now = time.time() if now is None else now
    username = normalise_username(username)[:64]
    user_key, ip_key = f"user:{username}", f"ip:{ip}"[:160]
    since = now - policy.window_seconds
    with databases.staff.begin() as connection:
        connection.execute(db.login_failures.delete().where(db.login_failures.c.at < since))
        if (_failures(connection, user_key, since) >= policy.max_failures_per_user
                or _failures(connection, ip_key, since) >= policy.max_failures_per_ip):
            return "locked", None, None
        user = connection.execute(sa.select(db.users).where(db.users.c.username == username,
                                                            db.users.c.active.is_(True))).first()
        try:
            _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
            valid = user is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            valid = False
        if not valid:
            connection.execute(db.login_failures.insert(), [{"key": user_key, "at": now},
                                                            {"key": ip_key, "at": now}])
            return "invalid", None, None
        connection.execute(db.login_failures.delete().where(db.login_failures.c.key == user_key))
        if _hasher.check_needs_rehash(user.password_hash):
            connection.execute(db.users.update().where(db.users.c.id == user.id)
                               .values(password_hash=_hasher.hash(password)))
        # Old sessions of this account past their time are removed on the way.
        connection.execute(db.sessions.delete().where(
            db.sessions.c.user_id == user.id,
            sa.or_(db.sessions.c.last_seen_at < now - policy.idle_seconds,
                   db.sessions.c.created_at < now - policy.max_seconds)))
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        connection.execute(db.sessions.insert().values(
            token_hash=_digest(token), user_id=user.id, csrf_token=csrf, created_at=now,
            last_seen_at=now))
        connection.execute(db.audit_log.insert().values(at=now, username=user.username,
                                                        action="login"))
        staff = Staff(user.id, user.username, bool(user.is_admin))
        return "ok", token, Session(staff, _digest(token), csrf)


def session_for(databases: Databases, token: Optional[str], policy: LoginPolicy,
                now: Optional[float] = None) -> Optional[Session]:
    """The live session of a cookie value, touched; None when absent or expired."""
    if not token or len(token) > 128:
        return None
    now = time.time() if now is None else now
    token_hash = _digest(token)
    s, u = db.sessions.c, db.users.c
    with databases.staff.begin() as connection:
        row = connection.execute(
            sa.select(s.token_hash, s.csrf_token, s.created_at, s.last_seen_at, u.id,
                      u.username, u.is_admin, u.active)
            .select_from(db.sessions.join(db.users, s.user_id == u.id))
            .where(s.token_hash == token_hash)).first()
        if row is None:
            return None
        if (not row.active or now - row.last_seen_at > policy.idle_seconds
                or now - row.created_at > policy.max_seconds):
            connection.execute(db.sessions.delete().where(s.token_hash == token_hash))
            return None
        if now - row.last_seen_at > 15:
            connection.execute(db.sessions.update().where(s.token_hash == token_hash)
                               .values(last_seen_at=now))
        return Session(Staff(row.id, row.username, bool(row.is_admin)), token_hash, row.csrf_token)


def logout(databases: Databases, session: Session) -> None:
    with databases.staff.begin() as connection:
        connection.execute(db.sessions.delete().where(db.sessions.c.token_hash == session.token_hash))
        connection.execute(db.audit_log.insert().values(at=time.time(),
                                                        username=session.staff.username,
                                                        action="logout"))


def csrf_ok(expected: Optional[str], given: Optional[str]) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
