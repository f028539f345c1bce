"""Where conversations and staff data are stored: SQLite files by default, PostgreSQL when
the environment says so. Plain Python (no Rasa); used by servers/ to write Rasa's
tracker_store section and by the staff app (web/staff) to connect.

PostgreSQL is chosen by setting LSE_PG_HOST. The other variables:
  LSE_PG_PORT      (default 5432)
  LSE_PG_USER      (default lse)
  LSE_PG_PASSWORD  (never in the repository: set it in the environment)
  LSE_PG_DB        the conversations (Rasa's `events` table), default lse
  LSE_PG_STAFF_DB  staff accounts, sessions, tags, notes, audit log, the conversation
                   index; default lse_staff (a second database on the same server)
  LSE_PG_SSLMODE   libpq's sslmode for every connection, Rasa's tracker store and the
                   staff app alike: disable, allow, prefer (default, as libpq), require,
                   verify-ca or verify-full (production: verify-full, docs/deployment.md;
                   the CA comes from libpq's PGSSLROOTCERT or ~/.postgresql/root.crt)
Without LSE_PG_HOST: var/conversations.db and var/staff.db (LSE_TRACKER_DB and
LSE_STAFF_DB change the paths).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_TRACKER_DB = ROOT / "var" / "conversations.db"
DEFAULT_STAFF_DB = ROOT / "var" / "staff.db"

PG_VARIABLES = ("LSE_PG_HOST", "LSE_PG_PORT", "LSE_PG_USER", "LSE_PG_PASSWORD", "LSE_PG_DB",
                "LSE_PG_STAFF_DB", "LSE_PG_SSLMODE")
# libpq's values of sslmode, weakest first.
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


@dataclass(frozen=True)
class PostgresConfig:
    host: str
    port: int = 5432
    user: str = "lse"
    password: str = ""
    db: str = "lse"
    staff_db: str = "lse_staff"
    sslmode: str = "prefer"

    def __post_init__(self) -> None:
        if self.sslmode not in SSL_MODES:
            # A typo must not silently fall back to a weaker mode.
            raise ValueError(f"LSE_PG_SSLMODE must be one of {', '.join(SSL_MODES)}, "
                             f"not {self.sslmode!r}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PostgresConfig | None:
        env = os.environ if env is None else env
        host = env.get("LSE_PG_HOST", "").strip()
        if not host:
            return None
        return cls(host=host, port=int(env.get("LSE_PG_PORT") or 5432),
                   user=env.get("LSE_PG_USER") or "lse", password=env.get("LSE_PG_PASSWORD", ""),
                   db=env.get("LSE_PG_DB") or "lse",
                   staff_db=env.get("LSE_PG_STAFF_DB") or "lse_staff",
                   sslmode=(env.get("LSE_PG_SSLMODE") or "prefer").strip().lower())

    def env(self) -> dict[str, str]:
        """The environment variables that select this server (for child processes)."""
        return {"LSE_PG_HOST": self.host, "LSE_PG_PORT": str(self.port),
                "LSE_PG_USER": self.user, "LSE_PG_PASSWORD": self.password,
                "LSE_PG_DB": self.db, "LSE_PG_STAFF_DB": self.staff_db,
                "LSE_PG_SSLMODE": self.sslmode}

    def tracker_store_section(self) -> dict[str, Any]:
        """Rasa's endpoints.yml `tracker_store` for this server. The password stays a
        reference to the environment (`${LSE_PG_PASSWORD}`, which Rasa expands when it reads
        the file), so it is never written to disk. `query` is what Rasa's SQLTrackerStore
        puts into the connection URL, for libpq: the sslmode."""
        return {"type": "bot.tracker_store.LseSQLTrackerStore", "dialect": "postgresql",
                "url": self.host, "port": self.port, "db": self.db, "username": self.user,
                "password": "${LSE_PG_PASSWORD}", "query": {"sslmode": self.sslmode}}

    def sqlalchemy_url(self, database: str) -> Any:
        from sqlalchemy.engine import URL
        return URL.create("postgresql+psycopg2", username=self.user, password=self.password or None,
                          host=self.host, port=self.port, database=database,
                          query={"sslmode": self.sslmode})

    def __repr__(self) -> str:  # never show the password
        return (f"PostgresConfig(host={self.host!r}, port={self.port}, user={self.user!r}, "
                f"db={self.db!r}, staff_db={self.staff_db!r}, sslmode={self.sslmode!r})")


def tracker_db_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("LSE_TRACKER_DB") or DEFAULT_TRACKER_DB)


def staff_db_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("LSE_STAFF_DB") or DEFAULT_STAFF_DB)
