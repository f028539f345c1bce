"""Conversation ids: what a client sends, and what the server stores.

A client (the widget's socket.io session id, a REST `sender`) chooses its own id and keeps
using it; whoever knows it can write into that conversation. So the stored conversation id
(the tracker's sender_id, what staff see, export and audit) is never that id but an HMAC of
it with a server secret: knowing a stored id gives no access to the conversation, and an id
a client made of personal data ("JanJansen_0612345678") is never stored.

The secret: LSE_SENDER_SECRET (e.g. from a Kubernetes Secret), else the file named by
LSE_SENDER_SECRET_FILE, else var/sender_secret; the file is made (random, 0600) the first
time. Every replica of one deployment needs the same secret, or a visitor who lands on
another replica starts a new conversation. Changing it starts every conversation anew.

Plain Python, no Rasa.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_SECRET_FILE = Path(__file__).resolve().parents[2] / "var" / "sender_secret"
SECRET_VARIABLE = "LSE_SENDER_SECRET"
SECRET_FILE_VARIABLE = "LSE_SENDER_SECRET_FILE"

# What a client may send as its id: letters, digits, '_' and '-' (whole string, so no
# trailing newline). Anything of that form is accepted, all-digit uuids included: it is
# only ever stored as its HMAC.
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
# The widget's socket.io session ids (uuid4 hex is 32).
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
# A stored id: 32 lowercase hex digits (128 bits of the HMAC-SHA256).
STORED_ID = re.compile(r"[0-9a-f]{32}")


def valid_client_id(value: Any) -> bool:
    return isinstance(value, str) and CLIENT_ID.fullmatch(value) is not None


def valid_session_id(value: Any) -> bool:
    return isinstance(value, str) and SESSION_ID.fullmatch(value) is not None


def read_or_make_secret_file(path: Path, nbytes: int = 32) -> str:
    """The secret in `path`; made the first time (random, 0600, atomically: two processes
    that start at once end up with the same secret)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(nbytes))
    return path.read_text(encoding="utf-8").strip()


def load_secret(env: Mapping[str, str] | None = None,
                default_file: Path = DEFAULT_SECRET_FILE) -> bytes:
    env = os.environ if env is None else env
    value = env.get(SECRET_VARIABLE)
    if value:
        if len(value) < 16:
            raise ValueError(f"{SECRET_VARIABLE} must have at least 16 characters")
        return value.encode("utf-8")
    path = Path(env.get(SECRET_FILE_VARIABLE) or default_file)
    value = read_or_make_secret_file(path)
    if len(value) < 16:
        raise ValueError(f"the sender secret in {path} must have at least 16 characters")
    return value.encode("utf-8")


def stored_id(client_id: str, secret: bytes) -> str:
    """The conversation id stored for `client_id` (the same on both channels)."""
    return hmac.new(secret, client_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
