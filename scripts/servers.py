"""Starts the action server and the Rasa server on localhost, and waits until both answer.

Used by `make run` (scripts/run.sh) and by the integration tests, so both start the
servers the same way. The Rasa HTTP API needs a token: it is read from var/rasa_api_token,
which is created (random, readable only by its owner) the first time.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.lse.storage import PG_VARIABLES, PostgresConfig  # noqa: E402
VENV_BIN = Path(sys.executable).parent
TOKEN_FILE = ROOT / "var" / "rasa_api_token"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now (for test and benchmark servers)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def api_token() -> str:
    TOKEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    if not TOKEN_FILE.exists():
        fd = os.open(TOKEN_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return TOKEN_FILE.read_text().strip()


def _wait_for(url: str, timeout: float, processes: List[subprocess.Popen]) -> None:
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
    web_port: Optional[int] = None
    tracker_db: Optional[str] = None
    # SQLite file of the staff app; default: staff.db beside an explicit tracker_db, else
    # var/staff.db (or LSE_STAFF_DB).
    staff_db: Optional[str] = None
    # PostgreSQL for conversations and staff data. Default: from the LSE_PG_* variables when
    # no explicit tracker_db is given; an explicit tracker_db always means SQLite.
    postgres: Optional[PostgresConfig] = None
    log_dir: Path = ROOT / "var" / "log"
    extra_env: Dict[str, str] = field(default_factory=dict)
    # Sections that replace those of endpoints.yml, e.g. {"tracker_store": {...},
    # "lock_store": {...}, "action_endpoint": {...}} (cluster/ uses PostgreSQL and Redis).
    endpoints: Dict[str, Any] = field(default_factory=dict)
    processes: List[subprocess.Popen] = field(default_factory=list)
    token: str = ""

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
    def web_origins(self) -> List[str]:
        """Pages that may use the socket.io channel: the web app's own (the widget demo)."""
        port = self.web_port or 8000
        return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]

    def _credentials_file(self) -> str:
        """credentials.yml, with the web app's origins added to the socket.io allow-list."""
        with open(ROOT / "credentials.yml", encoding="utf-8") as handle:
            credentials = yaml.safe_load(handle)
        socketio = credentials.get("bot.channels.SocketIOInput")
        if isinstance(socketio, dict):
            origins = list(socketio.get("cors_allowed_origins") or [])
            socketio["cors_allowed_origins"] = origins + [
                origin for origin in self.web_origins if origin not in origins]
        handle = tempfile.NamedTemporaryFile("w", suffix=".yml", prefix="credentials-", delete=False)
        yaml.safe_dump(credentials, handle)
        handle.close()
        return handle.name

    def _endpoints_file(self) -> str:
        with open(ROOT / "endpoints.yml", encoding="utf-8") as handle:
            endpoints = yaml.safe_load(handle)
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
        return handle.name

    def _postgres(self) -> Optional[PostgresConfig]:
        if self.postgres is not None:
            return self.postgres
        if self.tracker_db:
            return None
        return PostgresConfig.from_env()

    def _tracker_db(self) -> Optional[str]:
        return self.tracker_db or os.environ.get("LSE_TRACKER_DB") or None

    def _storage_env(self, env: Dict[str, str]) -> Dict[str, str]:
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

    def start(self, timeout: float = 180.0) -> "Servers":
        self.token = api_token()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PYTHONPATH=str(ROOT), SANIC_HOST=self.host,
                   SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="3",
                   RASA_TELEMETRY_ENABLED="false")
        env = self._storage_env(env)
        env.update(self.extra_env)
        action_log = open(self.log_dir / f"action-server-{self.action_port}.log", "ab")
        rasa_log = open(self.log_dir / f"rasa-server-{self.rasa_port}.log", "ab")
        self.processes.append(subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "bot.actions",
             "--port", str(self.action_port)],
            cwd=ROOT, env=env, stdout=action_log, stderr=subprocess.STDOUT,
            start_new_session=True))
        self.processes.append(subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "--model", self.model, "--enable-api",
             "--auth-token", self.token, "--interface", self.host, "--port", str(self.rasa_port),
             "--credentials", self._credentials_file(), "--endpoints", self._endpoints_file(),
             *[arg for origin in self.web_origins for arg in ("--cors", origin)]],
            cwd=ROOT, env=env, stdout=rasa_log, stderr=subprocess.STDOUT,
            start_new_session=True))
        if self.web_port:
            web_env = dict(env, LSE_WEB_HOST=self.host, LSE_WEB_PORT=str(self.web_port),
                           LSE_RASA_URL=self.rasa_url,
                           LSE_RASA_PUBLIC_URL=f"http://localhost:{self.rasa_port}")
            web_env.setdefault("LSE_ALLOWED_ORIGINS", ",".join(self.web_origins))
            web_log = open(self.log_dir / f"web-{self.web_port}.log", "ab")
            self.processes.append(subprocess.Popen(
                [str(VENV_BIN / "python"), "-m", "web.app"], cwd=ROOT, env=web_env,
                stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True))
        try:
            _wait_for(f"{self.action_url}/health", timeout, self.processes)
            _wait_for(f"{self.rasa_url}/status?token={self.token}", timeout, self.processes)
            if self.web_port:
                _wait_for(f"{self.web_url}/healthz", timeout, self.processes)
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


def main() -> None:
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
    def problem() -> Optional[str]:
        for process in servers.processes:
            if process.poll() is not None:
                return f"A server stopped (exit {process.returncode}); see the logs."
        return None

    run_until_stopped(problem, servers.stop)


def run_until_stopped(problem: Callable[[], Optional[str]], stop: Callable[[], None]) -> None:
    """Waits for Ctrl+C or SIGTERM, or until `problem()` says something went wrong; then
    calls `stop()`. Used by `make run` and `make cluster`."""
    stopping = {"now": False}

    def handle(_signum, _frame):
        stopping["now"] = True

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    try:
        while not stopping["now"]:
            message = problem()
            if message:
                print(message, flush=True)
                break
            time.sleep(0.5)
    finally:
        print("Stopping ...", flush=True)
        stop()


if __name__ == "__main__":
    main()
