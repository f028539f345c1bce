"""Staff accounts, sessions, login rate limits and CSRF tokens.

- Passwords are hashed with Argon2id (argon2-cffi's PasswordHasher, its current defaults);
  old hashes are upgraded at the next login.
- A session is a random 256-bit token in a cookie (Secure, HttpOnly, SameSite=Strict, path
  /staff); the database keeps only its SHA-256. A session ends after `idle_seconds` without
  a request, after `max_seconds` in all, and at logout.
- Failed logins slow down, they do not lock an account: per account *and* client address,
  the first `max_failures_per_user` failures are free, then each next attempt from there
  waits twice as long as the one before (`backoff_seconds`, up to `backoff_max_seconds`).
  Someone who guesses a username only slows himself down; the staff member logs in from
  her own address. Per client address (an IPv6 address counts as its /64) at most
  `max_failures_per_ip` failures per window, over all accounts. The client address is the
  one a configured proxy passes (routes.client_address), else the peer.
- An attempt is counted *before* the password is checked, in one short transaction that
  holds the counter rows (SELECT ... FOR UPDATE on PostgreSQL, SQLite's write lock), so
  parallel attempts cannot all slip under the limit; Argon2 runs after that transaction,
  outside any database lock. A successful login takes its own attempt back.
- The counters are keyed by SHA-256 hashes: the typed username (sometimes a password typed
  into the wrong field) and the address are never stored.
- Every session has its own CSRF token, put in every form and checked on every POST.
- Searching the visitors' messages (free text) needs the account's "may search" right
  (`may_search`, given and taken with the command line tool) or an admin account.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

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
    may_search: bool = False

    @property
    def can_search(self) -> bool:
        """May search the visitors' messages: admins always, others with the right."""
        return self.is_admin or self.may_search


@dataclass(frozen=True)
class Session:
    staff: Staff
    token_hash: str
    csrf_token: str


@dataclass(frozen=True)
class LoginPolicy:
    # free failures per account and address, then a delay that doubles
    max_failures_per_user: int = 5
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 15 * 60
    # failures per address over all accounts, per window; then the address waits a window
    max_failures_per_ip: int = 20
    # a counter without failures for this long starts again at zero
    window_seconds: int = 15 * 60
    idle_seconds: int = 30 * 60
    max_seconds: int = 12 * 60 * 60


class LoginResult(NamedTuple):
    outcome: str                      # "ok", "invalid" or "locked"
    token: str | None = None
    session: Session | None = None
    retry_after: float = 0.0          # seconds, when locked


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def create_user(databases: Databases, username: str, password: str, is_admin: bool = False,
                may_search: bool = False) -> Staff:
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
            active=True, created_at=time.time(), may_search=may_search))
        return Staff(int(result.inserted_primary_key[0]), username, is_admin, may_search)


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


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x00".join(("lse-staff-login",) + parts).encode("utf-8")).hexdigest()


def address_key(address: str) -> str:
    """The address a limit counts: an IPv6 address by its /64 (one subscriber's block)."""
    text = (address or "unknown").strip().strip("[]")
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return text[:100]
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _counter_keys(username: str, address: str) -> tuple[str, str]:
    where = address_key(address)
    return "a:" + _hash("account", username, where)[:60], "i:" + _hash("address", where)[:60]


def _claim(connection: Any, key: str) -> Any:
    """The counter row of `key`, locked until the transaction ends."""
    t = db.login_throttle
    values = dict(key=key, failures=0, last_failure_at=0.0, blocked_until=0.0)
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
        connection.execute(insert(t).values(**values).on_conflict_do_nothing(index_elements=["key"]))
    elif connection.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
        connection.execute(insert(t).values(**values).on_conflict_do_nothing(index_elements=["key"]))
    elif connection.execute(sa.select(t.c.key).where(t.c.key == key)).first() is None:
        connection.execute(t.insert().values(**values))
    return connection.execute(sa.select(t).where(t.c.key == key).with_for_update()).one()


def _blocked_for(failures: int, free: int, base: float, cap: float) -> float:
    if failures < free:
        return 0.0
    return min(base * 2 ** (failures - free), cap)


def _reserve(databases: Databases, keys: Sequence[str], rules: Sequence[tuple[int, float, float]],
             now: float, window: float) -> float:
    """Counts one attempt for every key, unless one of them is blocked: then returns the
    seconds until it is free again (and counts nothing)."""
    t = db.login_throttle
    with databases.staff.begin() as connection:
        # Stale counters go on the way (the cutoff is far past the longest block).
        connection.execute(t.delete().where(t.c.last_failure_at < now - 4 * window,
                                            t.c.blocked_until < now))
        rows = {key: _claim(connection, key) for key in sorted(keys)}
        wait = max(rows[key].blocked_until - now for key in keys)
        if wait > 0:
            return wait
        for key, (free, base, cap) in zip(keys, rules, strict=True):
            row = rows[key]
            failures = 0 if now - row.last_failure_at > window else row.failures
            failures += 1
            blocked = _blocked_for(failures, free, base, cap)
            connection.execute(t.update().where(t.c.key == key).values(
                failures=failures, last_failure_at=now,
                blocked_until=now + blocked if blocked else 0.0))
    return 0.0


def _give_back(connection: Any, account_key: str, address_key_: str,
               rules: Sequence[tuple[int, float, float]], now: float) -> None:
    """After a successful login: the account's counter is cleared, and the address gets
    back the attempt that was counted for it."""
    t = db.login_throttle
    connection.execute(t.delete().where(t.c.key == account_key))
    row = connection.execute(sa.select(t).where(t.c.key == address_key_).with_for_update()).first()
    if row is not None:
        failures = max(0, row.failures - 1)
        free, base, cap = rules[1]
        blocked = _blocked_for(failures, free, base, cap)
        connection.execute(t.update().where(t.c.key == address_key_).values(
            failures=failures, blocked_until=min(row.blocked_until, now + blocked)
            if blocked else 0.0))


def login(databases: Databases, username: str, password: str, ip: str,
          policy: LoginPolicy, now: float | None = None) -> LoginResult:
    """Checks a login: LoginResult("ok", token, Session), ("locked", retry_after=seconds)
    or ("invalid")."""
    now = time.time() if now is None else now
    username = normalise_username(username)[:64]
    account_key, ip_key = _counter_keys(username, ip)
    rules = ((policy.max_failures_per_user, policy.backoff_seconds, policy.backoff_max_seconds),
             (policy.max_failures_per_ip, float(policy.window_seconds),
              float(policy.window_seconds)))
    wait = _reserve(databases, (account_key, ip_key), rules, now, policy.window_seconds)
    if wait > 0:
        return LoginResult("locked", retry_after=wait)
    with databases.staff.connect() as connection:
        user = connection.execute(sa.select(db.users).where(db.users.c.username == username,
                                                            db.users.c.active.is_(True))).first()
    # Outside every transaction: Argon2 takes tens of milliseconds and 64 MiB.
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
        valid = user is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        valid = False
    if not valid:
        return LoginResult("invalid")
    new_hash = _hasher.hash(password) if _hasher.check_needs_rehash(user.password_hash) else None
    with databases.staff.begin() as connection:
        _give_back(connection, account_key, ip_key, rules, now)
        if new_hash:
            connection.execute(db.users.update().where(db.users.c.id == user.id)
                               .values(password_hash=new_hash))
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
    staff = Staff(user.id, user.username, bool(user.is_admin), bool(user.may_search))
    return LoginResult("ok", token, Session(staff, _digest(token), csrf))


def deactivate_user(databases: Databases, username: str, by: str) -> None:
    """Switches an account off and ends its sessions: it cannot log in any more."""
    _change_account(databases, username, {"active": False}, "deactivate", by,
                    end_sessions=True)


def set_may_search(databases: Databases, username: str, allowed: bool, by: str) -> None:
    """Gives or takes an account's right to search the visitors' messages; it counts from
    the account's next request (sessions read it every time). Audited."""
    _change_account(databases, username, {"may_search": allowed},
                    "grant_search" if allowed else "revoke_search", by)


def _change_account(databases: Databases, username: str, values: dict[str, Any],
                    action: str, by: str, end_sessions: bool = False) -> None:
    """Changes one account's columns (and ends its sessions), audited, in one transaction."""
    with databases.staff.begin() as connection:
        user = connection.execute(sa.select(db.users.c.id).where(
            db.users.c.username == normalise_username(username))).first()
        if user is None:
            raise AuthError("Dat account bestaat niet.")
        connection.execute(db.users.update().where(db.users.c.id == user.id).values(**values))
        if end_sessions:
            connection.execute(db.sessions.delete().where(db.sessions.c.user_id == user.id))
        connection.execute(db.audit_log.insert().values(
            at=time.time(), username=by[:64], action=action,
            detail=normalise_username(username)[:64]))


def session_for(databases: Databases, token: str | None, policy: LoginPolicy,
                now: float | None = None) -> Session | None:
    """The live session of a cookie value, touched; None when absent or expired."""
    if not token or len(token) > 128:
        return None
    now = time.time() if now is None else now
    token_hash = _digest(token)
    s, u = db.sessions.c, db.users.c
    with databases.staff.begin() as connection:
        row = connection.execute(
            sa.select(s.token_hash, s.csrf_token, s.created_at, s.last_seen_at, u.id,
                      u.username, u.is_admin, u.active, u.may_search)
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
        return Session(Staff(row.id, row.username, bool(row.is_admin), bool(row.may_search)),
                       token_hash, row.csrf_token)


def logout(databases: Databases, session: Session) -> None:
    with databases.staff.begin() as connection:
        connection.execute(db.sessions.delete().where(db.sessions.c.token_hash == session.token_hash))
        connection.execute(db.audit_log.insert().values(at=time.time(),
                                                        username=session.staff.username,
                                                        action="logout"))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
