"""Settings of the web app, from environment variables with safe local defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Tuple

ROOT = Path(__file__).resolve().parent.parent


def _list(value: str) -> Tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    # Where the browser reaches the Rasa server (socket.io) and where this app reaches it.
    rasa_public_url: str = "http://localhost:5005"
    rasa_internal_url: str = "http://127.0.0.1:5005"
    allowed_origins: Tuple[str, ...] = ("http://localhost:8000", "http://127.0.0.1:8000")
    var_dir: Path = field(default=ROOT / "var")

    @classmethod
    def from_env(cls) -> "Settings":
        defaults = cls()
        return cls(
            host=os.environ.get("LSE_WEB_HOST", defaults.host),
            port=int(os.environ.get("LSE_WEB_PORT", defaults.port)),
            rasa_public_url=os.environ.get("LSE_RASA_PUBLIC_URL", defaults.rasa_public_url),
            rasa_internal_url=os.environ.get("LSE_RASA_URL", defaults.rasa_internal_url),
            allowed_origins=_list(os.environ.get("LSE_ALLOWED_ORIGINS", ""))
            or defaults.allowed_origins,
            var_dir=Path(os.environ.get("LSE_VAR_DIR", str(defaults.var_dir))),
        )
