"""Starts the Rasa server: `python -m bot.serve --model M --credentials C --endpoints E ...`.

The same as `rasa run ...` (Rasa's own command-line entry point does the work), with:
- `os.umask(0o077)`: every file the server creates (the SQLite database and its -wal and
  -shm files, logs) is readable by its owner only, whatever the caller's umask;
- the logging of bot/logging_config.py: no visitor text in the logs at any level;
- our fixes for Rasa itself (bot/rasa_patches.py), applied here, before Rasa starts, and
  refused (the server does not start) on another Rasa version;
- the HTTP API (conversations, events, model upload) OFF unless a caller asks for it by
  giving the token in a file or in the environment, never on the command line (a command
  line is world-readable in `ps` and /proc/<pid>/cmdline):
    LSE_RASA_API_TOKEN_FILE  path of a file with the token (0600), or
    LSE_RASA_API_TOKEN       the token itself (e.g. from a Kubernetes Secret);
  the variable is removed from the environment once read. `--enable-api` and
  `--auth-token` on the command line are refused. Keep the API on localhost (`--interface
  127.0.0.1`): Rasa accepts the token only as `?token=` in the URL.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

TOKEN_FILE_VARIABLE = "LSE_RASA_API_TOKEN_FILE"
TOKEN_VARIABLE = "LSE_RASA_API_TOKEN"
_REFUSED = ("--enable-api", "--auth-token", "-t")


def api_token_from_environment() -> str | None:
    """The API token from LSE_RASA_API_TOKEN_FILE or LSE_RASA_API_TOKEN (then removed from
    the environment, so child processes do not inherit it); None: the API stays off."""
    path = os.environ.pop(TOKEN_FILE_VARIABLE, None)
    token = os.environ.pop(TOKEN_VARIABLE, None)
    if path:
        token = Path(path).read_text(encoding="utf-8").strip()
    if token is not None and len(token) < 16:
        raise SystemExit("the Rasa API token must have at least 16 characters")
    return token or None


def rasa_arguments(argv: Sequence[str], token: str | None) -> list[str]:
    """The arguments for Rasa's CLI: `run` plus ours, with the API only when a token is given."""
    for argument in argv:
        if argument.split("=", 1)[0] in _REFUSED:
            raise SystemExit(f"{argument.split('=', 1)[0]} is not accepted on the command line: "
                             f"give the token in {TOKEN_FILE_VARIABLE} or {TOKEN_VARIABLE}")
    arguments = ["run", *argv]
    if token:
        arguments += ["--enable-api", "--auth-token", token]
    return arguments


def main(argv: Sequence[str] | None = None) -> None:
    os.umask(0o077)
    token = api_token_from_environment()
    arguments = rasa_arguments(list(sys.argv[1:] if argv is None else argv), token)
    from bot import logging_config, rasa_patches

    logging_config.install()
    rasa_patches.apply()
    # Rasa's CLI reads sys.argv. This list lives in this process's memory only: the
    # command line the kernel shows (/proc/<pid>/cmdline) stays the one we were started with.
    sys.argv = ["rasa", *arguments]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
