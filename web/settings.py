"""Settings of the web app, from environment variables with safe local defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.lse import origins
from bot.lse.storage import PostgresConfig, staff_db_path, tracker_db_path

ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    # Where the browser reaches the Rasa server (socket.io) and where this app reaches it.
    rasa_public_url: str = "http://localhost:5005"
    rasa_internal_url: str = "http://127.0.0.1:5005"
    # The sites that may embed the widget (LSE_ALLOWED_ORIGINS, bot/lse/origins.py): the /api
    # CORS answers here, and the socket.io channel's allow-list in the Rasa server.
    allowed_origins: tuple[str, ...] = origins.DEFAULT_ORIGINS
    var_dir: Path = field(default=ROOT / "var")
    # Where servers/ writes and rotates the logs; the purge removes old ones.
    log_dir: Path = field(default=ROOT / "var" / "log")
    # Staff app (web/staff): databases (bot/lse/storage.py: SQLite files by default,
    # PostgreSQL when LSE_PG_HOST is set), sessions, login limits, background jobs.
    tracker_db: Path = field(default_factory=tracker_db_path)
    staff_db: Path = field(default_factory=staff_db_path)
    postgres: PostgresConfig | None = None
    staff_session_idle_seconds: int = 30 * 60
    staff_login_failures_per_user: int = 5
    staff_login_failures_per_ip: int = 20
    staff_purge_interval_seconds: int = 24 * 60 * 60
    staff_purge_delay_seconds: int = 60
    staff_index_interval_seconds: int = 30
    # The staff inbox (web/staff/inbox.py) shows a message whose intent was chosen with a
    # confidence below this as "twijfel" (at most inbox.LOW_CONFIDENCE_CEILING, 0.9).
    staff_inbox_low_confidence: float = 0.5
    # The proxy in front (nginx, an ingress) that may say who the client is; unset: the peer
    # address counts and forwarded headers are ignored (Sanic's PROXIES_COUNT,
    # REAL_IP_HEADER, FORWARDED_SECRET). The staff login's per-address limit uses it.
    proxies_count: int = 0
    real_ip_header: str = ""
    forwarded_secret: str = field(default="", repr=False)

    @classmethod
    def from_env(cls) -> Settings:
        defaults = cls()
        return cls(
            host=os.environ.get("LSE_WEB_HOST", defaults.host),
            port=int(os.environ.get("LSE_WEB_PORT", defaults.port)),
            rasa_public_url=os.environ.get("LSE_RASA_PUBLIC_URL", defaults.rasa_public_url),
            rasa_internal_url=os.environ.get("LSE_RASA_URL", defaults.rasa_internal_url),
            allowed_origins=origins.allowed_origins(default=defaults.allowed_origins),
            var_dir=Path(os.environ.get("LSE_VAR_DIR", str(defaults.var_dir))),
            log_dir=Path(os.environ.get("LSE_LOG_DIR", "").strip()
                         or Path(os.environ.get("LSE_VAR_DIR", str(defaults.var_dir))) / "log"),
            tracker_db=tracker_db_path(),
            staff_db=staff_db_path(),
            postgres=PostgresConfig.from_env(),
            staff_session_idle_seconds=_int("LSE_STAFF_SESSION_IDLE_SECONDS",
                                            defaults.staff_session_idle_seconds),
            staff_login_failures_per_user=_int("LSE_STAFF_LOGIN_FAILURES_PER_USER",
                                               defaults.staff_login_failures_per_user),
            staff_login_failures_per_ip=_int("LSE_STAFF_LOGIN_FAILURES_PER_IP",
                                             defaults.staff_login_failures_per_ip),
            staff_purge_interval_seconds=_int("LSE_STAFF_PURGE_INTERVAL_SECONDS",
                                              defaults.staff_purge_interval_seconds),
            staff_purge_delay_seconds=_int("LSE_STAFF_PURGE_DELAY_SECONDS",
                                           defaults.staff_purge_delay_seconds),
            staff_index_interval_seconds=_int("LSE_STAFF_INDEX_INTERVAL_SECONDS",
                                              defaults.staff_index_interval_seconds),
            staff_inbox_low_confidence=float(
                os.environ.get("LSE_STAFF_INBOX_LOW_CONFIDENCE", "").strip()
                or defaults.staff_inbox_low_confidence),
            proxies_count=_int("LSE_PROXIES_COUNT", defaults.proxies_count),
            real_ip_header=os.environ.get("LSE_REAL_IP_HEADER", "").strip(),
            forwarded_secret=os.environ.get("LSE_FORWARDED_SECRET", "").strip(),
        )
