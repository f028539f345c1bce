"""Starts the action server, the Rasa server and the web app on localhost, and waits until
they answer.

Used by `make run` (`python -m servers MODEL`, scripts/run.sh), the tests, the benchmarks
(bench/) and the local cluster (cluster/), so all of them start the servers the same way.
Public API: `Servers` (start/stop, URLs, the stored conversation id and events of a client),
`free_port`, `wait_for`, `run_until_stopped`, and the file helpers `private_dir`,
`make_private`, `private_log`, `secret_file`, `api_token`, `rotate_logs`.
- The Rasa HTTP API (conversations, events, model upload) is OFF: nothing needs it (the
  staff app reads the databases). `Servers(enable_api=True)` turns it on for a caller that
  does; its token is then read from var/rasa_api_token (random, 0600, made the first time)
  by the Rasa process itself (bot/serve.py), so it is never on a command line.
- Every process is started with umask 077 and the files that exist already under var/,
  the log directory and the databases are made private (0600, directories 0700).
- The action server listens on localhost (SANIC_HOST) and gets no database or other secret
  variables: it needs none.
- Logs are rotated once a day and rotated logs older than LOG_RETENTION_DAYS are removed
  (`rotate_logs`, at start and while `make run` runs).
"""
from __future__ import annotations

import datetime
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.lse import sender_ids
from bot.lse.storage import PG_VARIABLES, PostgresConfig

__all__ = [
    "LOG_RETENTION_DAYS", "ROOT", "Servers", "api_token", "free_port", "main", "make_private",
    "private_dir", "private_log", "rotate_logs", "run_until_stopped", "secret_file", "wait_for",
]

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
VAR = ROOT / "var"
TOKEN_FILE = VAR / "rasa_api_token"
SENDER_SECRET_FILE = VAR / "sender_secret"
# Logs hold no visitor text (bot/logging_config.py), but they hold times; they are kept no
# longer than the conversations (README: privacy and retention).
LOG_RETENTION_DAYS = 30
# Variables the action server must not see: it needs no database, lock store or secret.
_NOT_FOR_ACTIONS = ("LSE_PG_", "LSE_REDIS_PASSWORD", "LSE_TRACKER_DB", "LSE_STAFF_DB",
                    "LSE_SENDER_SECRET", "LSE_RASA_API_TOKEN")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now (for test and benchmark servers)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def private_dir(path: Path) -> Path:
    """`path` (and missing parents) as a directory only its owner can use (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def make_private(*paths: Path) -> None:
    """Files 0600 and directories 0700, for each path and everything under a directory.
    Paths that do not exist are skipped; so are files of other users (a cluster's
    PostgreSQL data, which initdb makes private itself)."""
    uid = os.getuid()
    for top in paths:
        top = Path(top)
        if not top.exists():
            continue
        walk = [top] + (sorted(top.rglob("*")) if top.is_dir() else [])
        for path in walk:
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(info.st_mode) or info.st_uid != uid:
                continue
            wanted = 0o700 if stat.S_ISDIR(info.st_mode) else 0o600
            if stat.S_IMODE(info.st_mode) != wanted:
                os.chmod(path, wanted)


def secret_file(path: Path, nbytes: int = 32) -> str:
    """The secret in `path`; made (random, 0600) the first time."""
    private_dir(path.parent)
    value = sender_ids.read_or_make_secret_file(path, nbytes)
    os.chmod(path, 0o600)
    return value


def api_token() -> str:
    """The Rasa HTTP API token (var/rasa_api_token), for `Servers(enable_api=True)`."""
    return secret_file(TOKEN_FILE)


def private_log(path: Path):
    """A log file opened for appending, 0600 whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.chmod(path, 0o600)
    return os.fdopen(fd, "ab")


def rotate_logs(log_dir: Path, keep_days: int = LOG_RETENTION_DAYS,
                now: float | None = None) -> list[Path]:
    """Rotates every non-empty `*.log` whose content is more than a day old (copied to
    `<name>.<UTC time>`, then truncated in place: the servers write with O_APPEND, so they
    go on at the new end) and removes rotated logs older than `keep_days`. Returns the
    files removed."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    if not log_dir.exists():
        return removed
    for log in sorted(log_dir.glob("*.log")):
        info = log.stat()
        started = _log_started(log, info)
        if info.st_size and now - started >= 86_400:
            stamp = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
            rotated = log.with_name(f"{log.name}.{stamp:%Y%m%dT%H%M%SZ}")
            with open(log, "rb") as source, open(
                    os.open(rotated, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as target:
                shutil.copyfileobj(source, target)
            os.utime(rotated, (info.st_mtime, info.st_mtime))
            os.truncate(log, 0)
            _mark_log_start(log, now)
        elif not info.st_size:
            _mark_log_start(log, now)
    for rotated in sorted(log_dir.glob("*.log.*")):
        if rotated.name.endswith(".start"):
            continue
        if now - rotated.stat().st_mtime > keep_days * 86_400:
            rotated.unlink()
            removed.append(rotated)
    return removed


def _start_marker(log: Path) -> Path:
    return log.with_name(f".{log.name}.start")


def _log_started(log: Path, info: os.stat_result) -> float:
    """When the oldest line of `log` was written, as far as we know (the marker file's
    time, else the log's own creation, approximated by the oldest of ctime and mtime)."""
    marker = _start_marker(log)
    if marker.exists():
        return marker.stat().st_mtime
    _mark_log_start(log, min(info.st_mtime, info.st_ctime))
    return min(info.st_mtime, info.st_ctime)


def _mark_log_start(log: Path, when: float) -> None:
    marker = _start_marker(log)
    os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o600))
    os.utime(marker, (when, when))


def wait_for(url: str, timeout: float, processes: list[subprocess.Popen]) -> None:
    """Waits until `url` answers 200; fails early when one of `processes` has stopped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"a server stopped while starting (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Servers:
    model: str
    rasa_port: int = 5005
    action_port: int = 5055
    host: str = "127.0.0.1"
    # Port of the web app (widget demo page and staff app); None: do not start it.
    web_port: int | None = None
    tracker_db: str | None = None
    # SQLite file of the staff app; default: staff.db beside an explicit tracker_db, else
    # var/staff.db (or LSE_STAFF_DB).
    staff_db: str | None = None
    # PostgreSQL for conversations and staff data. Default: from the LSE_PG_* variables when
    # no explicit tracker_db is given; an explicit tracker_db always means SQLite.
    postgres: PostgresConfig | None = None
    log_dir: Path = ROOT / "var" / "log"
    extra_env: dict[str, str] = field(default_factory=dict)
    # Sections that replace those of endpoints.yml, e.g. {"tracker_store": {...},
    # "lock_store": {...}, "action_endpoint": {...}} (cluster/ uses PostgreSQL and Redis).
    endpoints: dict[str, Any] = field(default_factory=dict)
    # The Rasa HTTP API: off unless a caller needs it (then on `host`, with the token of
    # var/rasa_api_token, which the Rasa process reads itself).
    enable_api: bool = False
    # File with the secret that turns a client's session id into the stored conversation
    # id (bot/lse/sender_ids.py); every replica of one deployment needs the same one.
    sender_secret_file: Path = SENDER_SECRET_FILE
    processes: list[subprocess.Popen] = field(default_factory=list)
    token: str = ""
    _temp_files: list[str] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}"

    @property
    def rasa_process(self) -> subprocess.Popen:
        """The Rasa server process (started second, after the action server)."""
        return self.processes[1]

    @property
    def web_origins(self) -> list[str]:
        """The web app's own pages (the widget demo): the sites that may embed the chat
        when LSE_ALLOWED_ORIGINS is not set."""
        port = self.web_port or 8000
        return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]

    def allowed_origins(self, env: dict[str, str]) -> list[str]:
        """LSE_ALLOWED_ORIGINS of `env` (bot/lse/origins.py), else the web app's own pages."""
        from bot.lse import origins

        return list(origins.allowed_origins(env, default=self.web_origins))

    def _endpoints_file(self) -> str:
        with open(ROOT / "endpoints.yml", encoding="utf-8") as source:
            endpoints = yaml.safe_load(source)
        endpoints["action_endpoint"]["url"] = f"{self.action_url}/webhook"
        postgres = self._postgres()
        if postgres:
            endpoints["tracker_store"] = postgres.tracker_store_section()
        elif self._tracker_db():
            endpoints["tracker_store"]["db"] = self._tracker_db()
        endpoints.update(self.endpoints)
        handle = tempfile.NamedTemporaryFile("w", suffix=".yml", prefix="endpoints-", delete=False)
        yaml.safe_dump(endpoints, handle)
        handle.close()
        self._temp_files.append(handle.name)
        return handle.name

    def _postgres(self) -> PostgresConfig | None:
        if self.postgres is not None:
            return self.postgres
        if self.tracker_db:
            return None
        return PostgresConfig.from_env()

    def _tracker_db(self) -> str | None:
        return self.tracker_db or os.environ.get("LSE_TRACKER_DB") or None

    def _storage_env(self, env: dict[str, str]) -> dict[str, str]:
        """The environment of the servers, with the storage they must use (and only that)."""
        env = {key: value for key, value in env.items() if key not in PG_VARIABLES}
        postgres = self._postgres()
        if postgres:
            env.update(postgres.env())
            return env
        tracker_db = self._tracker_db()
        if tracker_db:
            env["LSE_TRACKER_DB"] = str(Path(tracker_db).resolve())
        staff_db = self.staff_db or os.environ.get("LSE_STAFF_DB")
        if not staff_db and self.tracker_db:
            staff_db = str(Path(self.tracker_db).with_name("staff.db"))
        if staff_db:
            env["LSE_STAFF_DB"] = str(Path(staff_db).resolve())
        return env

    def stored_id(self, client_id: str) -> str:
        """The conversation id the tracker store holds for a client's sender/session id."""
        secret = sender_ids.load_secret(
            env={sender_ids.SECRET_FILE_VARIABLE: str(self.sender_secret_file)})
        return sender_ids.stored_id(client_id, secret)

    def tracker_events(self, client_id: str) -> list[dict[str, Any]]:
        """Every stored event of a conversation, read from the tracker store's database
        (the HTTP API is off): for tests and the soak."""
        import json

        import sqlalchemy as sa

        postgres = self._postgres()
        if postgres:
            url = postgres.sqlalchemy_url(postgres.db)
        else:
            url = f"sqlite:///{Path(self._tracker_db() or ROOT / 'var' / 'conversations.db').resolve()}"
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("select data from events where sender_id = :sender order by id"),
                    {"sender": self.stored_id(client_id)}).fetchall()
        finally:
            engine.dispose()
        return [json.loads(row[0]) for row in rows]

    def _private_paths(self) -> list[Path]:
        paths = [VAR, self.log_dir]
        for name in (self._tracker_db(), self.staff_db or os.environ.get("LSE_STAFF_DB")):
            if name:
                db = Path(name).resolve()
                paths += [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"),
                          db.with_name(db.name + "-journal")]
        return paths

    def start(self, timeout: float = 180.0) -> Servers:
        private_dir(VAR)
        private_dir(self.log_dir)
        make_private(*self._private_paths())
        rotate_logs(self.log_dir)
        secret_file(Path(self.sender_secret_file))
        self.token = api_token() if self.enable_api else ""
        env = dict(os.environ, PYTHONPATH=str(ROOT), SANIC_HOST=self.host,
                   SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="3",
                   RASA_TELEMETRY_ENABLED="false")
        for key in ("LSE_RASA_API_TOKEN", "LSE_RASA_API_TOKEN_FILE"):
            env.pop(key, None)
        env = self._storage_env(env)
        env.update(self.extra_env)
        env.setdefault("LSE_SENDER_SECRET_FILE", str(Path(self.sender_secret_file).resolve()))
        # One setting for the sites that may embed the chat: the socket.io channel
        # (bot.channels.SocketIOInput) and the web app's /api. Rasa's own --cors is not
        # used: its CORS headers cover /socket.io/ too, and two Access-Control-Allow-Origin
        # headers (Sanic's and engine.io's) make a browser refuse the polling transport.
        env["LSE_ALLOWED_ORIGINS"] = ",".join(self.allowed_origins(env))
        action_env = {key: value for key, value in env.items()
                      if not key.startswith(_NOT_FOR_ACTIONS)}
        rasa_env = dict(env)
        if self.enable_api:
            rasa_env["LSE_RASA_API_TOKEN_FILE"] = str(TOKEN_FILE)
        # The log files are closed here whatever happens (each child has its own copy).
        with private_log(self.log_dir / f"action-server-{self.action_port}.log") as action_log:
            self.processes.append(subprocess.Popen(
                [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "bot.actions",
                 "--port", str(self.action_port)],
                cwd=ROOT, env=action_env, stdout=action_log, stderr=subprocess.STDOUT,
                start_new_session=True, umask=0o077))
        # bot/serve.py: `rasa run` with umask 077, the log configuration without visitor
        # text, and the API only when the token file is given in the environment.
        with private_log(self.log_dir / f"rasa-server-{self.rasa_port}.log") as rasa_log:
            self.processes.append(subprocess.Popen(
                [str(VENV_BIN / "python"), "-m", "bot.serve", "--model", self.model,
                 "--interface", self.host, "--port", str(self.rasa_port),
                 "--credentials", str(ROOT / "credentials.yml"),
                 "--endpoints", self._endpoints_file()],
                cwd=ROOT, env=rasa_env, stdout=rasa_log, stderr=subprocess.STDOUT,
                start_new_session=True, umask=0o077))
        if self.web_port:
            web_env = dict(env, LSE_WEB_HOST=self.host, LSE_WEB_PORT=str(self.web_port),
                           LSE_RASA_URL=self.rasa_url,
                           LSE_RASA_PUBLIC_URL=f"http://localhost:{self.rasa_port}")
            with private_log(self.log_dir / f"web-{self.web_port}.log") as web_log:
                self.processes.append(subprocess.Popen(
                    [str(VENV_BIN / "python"), "-m", "web.app"], cwd=ROOT, env=web_env,
                    stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True,
                    umask=0o077))
        try:
            wait_for(f"{self.action_url}/health", timeout, self.processes)
            # The REST channel's own health route: Rasa listens only once the model is loaded.
            wait_for(f"{self.rasa_url}/webhooks/rest/", timeout, self.processes)
            if self.web_port:
                wait_for(f"{self.web_url}/healthz", timeout, self.processes)
        except Exception as error:
            self.stop()
            tails = []
            for log in (self.log_dir / f"action-server-{self.action_port}.log",
                        self.log_dir / f"rasa-server-{self.rasa_port}.log"):
                lines = log.read_text(errors="replace").splitlines()[-15:]
                tails.append(f"--- {log.name}\n" + "\n".join(lines))
            raise RuntimeError(f"{error}\n" + "\n".join(tails)) from error
        return self

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()
        for name in self._temp_files:
            try:
                os.unlink(name)
            except FileNotFoundError:
                pass
        self._temp_files.clear()


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m servers MODEL (a trained model, e.g. models/current.tar.gz)")
    os.umask(0o077)
    model = sys.argv[1]
    servers = Servers(model=model,
                      rasa_port=int(os.environ.get("RASA_PORT", 5005)),
                      action_port=int(os.environ.get("ACTION_PORT", 5055)),
                      host=os.environ.get("LSE_HOST", "127.0.0.1"),
                      web_port=int(os.environ.get("LSE_WEB_PORT", 8000)))
    print("Starting the action server and the Rasa server (this takes about 20 seconds) ...",
          flush=True)
    servers.start()
    print(f"""
The LSE assistant is running.
  Chat in the browser: http://localhost:{servers.web_port}/
  Staff app:        http://localhost:{servers.web_port}/staff/  (account: python -m web.staff.cli create-user NAME)
  Chat over REST:   curl -s -X POST {servers.rasa_url}/webhooks/rest/webhook \\
                      -H 'Content-Type: application/json' \\
                      -d '{{"sender": "me", "message": "mijn zoon kijkt IS-filmpjes"}}'
  Chat in the terminal: .venv/bin/python scripts/chat.py
  Socket.io:        {servers.rasa_url}/socket.io
  Logs:             {servers.log_dir}
Press Ctrl+C to stop.""", flush=True)
    def problem() -> str | None:
        for process in servers.processes:
            if process.poll() is not None:
                return f"A server stopped (exit {process.returncode}); see the logs."
        return None

    run_until_stopped(problem, servers.stop, servers.log_dir)


def run_until_stopped(problem: Callable[[], str | None], stop: Callable[[], None],
                      log_dir: Path | None = None) -> None:
    """Waits for Ctrl+C or SIGTERM, or until `problem()` says something went wrong; then
    calls `stop()`. Rotates the logs in `log_dir` once an hour (`rotate_logs`). Used by
    `make run` and `make cluster`."""
    stopping = {"now": False}

    def handle(_signum, _frame):
        stopping["now"] = True

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    rotated = time.monotonic()
    try:
        while not stopping["now"]:
            message = problem()
            if message:
                print(message, flush=True)
                break
            if log_dir is not None and time.monotonic() - rotated > 3600:
                rotate_logs(log_dir)
                rotated = time.monotonic()
            time.sleep(0.5)
    finally:
        print("Stopping ...", flush=True)
        stop()
