"""Starts a throwaway Rasa cluster on localhost, the way production scales out.

    nginx (one public port)
      /webhooks/  -> round robin over the Rasa replicas (REST)
      /socket.io/ -> sticky by client address (hash $remote_addr consistent), websocket upgrade
      anything else -> 404 (the replicas run without the Rasa HTTP API)
      per client address: limit_req / limit_conn; no access log for the visitor paths
    nginx (internal port) -> round robin over the action servers
    Rasa replica i:   its own Sanic process, the same model, tracker store = PostgreSQL,
                      lock store = Redis, action endpoint = nginx's internal port
    PostgreSQL, Redis: our own instances in a temporary directory, on free ports, with
                      random passwords; never the machine's default PostgreSQL cluster.
                      PostgreSQL's superuser is `lse_admin` (initdb), used only to create
                      the application role `lse` (no superuser, CREATEDB or CREATEROLE) and
                      its databases `rasa` and `lse_staff`, which `lse` owns (review L9).

The binaries are Debian's (postgresql, redis-server, nginx). When run as root, PostgreSQL
runs as the `postgres` user, Redis as `redis` and the nginx workers as `www-data`.
"""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.lse.storage import PostgresConfig
from servers import Servers, free_port, private_log

ROOT = Path(__file__).resolve().parent.parent

HOST = "127.0.0.1"
PG_ADMIN = "lse_admin"  # initdb's superuser; the replicas and the staff app never use it
PG_USER = "lse"         # the application role: owns its databases, nothing more
# Rasa's plain `redis` lock store loses messages when two replicas get messages of one
# conversation at the same moment; LSE_LOCK_STORE=redis brings it back for comparison.
LOCK_STORE = os.environ.get("LSE_LOCK_STORE", "bot.lock_store.AtomicRedisLockStore")


def _postgres_bin() -> Path:
    configured = os.environ.get("LSE_PG_BIN")
    if configured:
        return Path(configured)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda path: int(Path(path).parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return Path(found[-1]).parent


def _need(binary: str, package: str) -> str:
    path = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if not path:
        raise RuntimeError(f"{binary} is not installed: apt-get install -y {package}")
    return path


def _service_user(name: str) -> pwd.struct_passwd | None:
    """The system user to run a service as when we are root; None: run as ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return pwd.getpwnam("nobody")


def _as_user(user: pwd.struct_passwd | None) -> dict[str, Any]:
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _chown(path: Path, user: pwd.struct_passwd | None) -> None:
    if user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)


def _write_secret(path: Path, text: str, user: pwd.struct_passwd | None = None) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    _chown(path, user)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


# nginx limits per client address (see nginx_conf; docs/deployment.md).
NGINX_REST_RATE = "5r/s"
NGINX_REST_BURST = 20
NGINX_SOCKET_RATE = "20r/s"
NGINX_SOCKET_BURST = 60
NGINX_CONN = 20


def _program(process: subprocess.Popen) -> str:
    """The name of the program a process runs (for messages)."""
    args = process.args
    first = args[0] if isinstance(args, (list, tuple)) else args
    return os.path.basename(str(first))


def nginx_conf(prefix: Path, public_port: int, actions_port: int, rasa_ports: Sequence[int],
               action_ports: Sequence[int], worker_user: pwd.struct_passwd | None,
               upstream_header: bool) -> str:
    def servers(ports: Sequence[int]) -> str:
        # max_fails=1: after one failed attempt the replica is left out for 10 s.
        return "\n".join(f"    server {HOST}:{port} max_fails=1 fail_timeout=10s;" for port in ports)

    user_line = f"user {worker_user.pw_name};" if worker_user else ""
    # Shows which replica answered; only for tests and local use, never in production.
    replica_header = "add_header X-LSE-Replica $upstream_addr always;" if upstream_header else ""
    return f"""# Generated by cluster/launcher.py; do not edit.
{user_line}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;

events {{
  worker_connections 1024;
}}

http {{
  # No client address and no query string in the log: for someone who contacts a
  # counter-extremism service, address plus time is sensitive (security review M5).
  # The visitor paths (/webhooks/, /socket.io/) are not logged at all.
  log_format replicas '"$request_method $uri" $status upstream=$upstream_addr '
                      'upstream_status=$upstream_status time=$request_time';
  access_log {prefix}/logs/access.log replicas;
  # Per client address: REST messages {NGINX_REST_RATE} with a burst of {NGINX_REST_BURST};
  # socket.io requests (polling transport: several per message) {NGINX_SOCKET_RATE}
  # with a burst of {NGINX_SOCKET_BURST}; at most {NGINX_CONN} open connections. Over the
  # limit: 429. The channels limit each conversation themselves, with a friendly answer.
  limit_req_zone $binary_remote_addr zone=lse_rest:10m rate={NGINX_REST_RATE};
  limit_req_zone $binary_remote_addr zone=lse_socket:10m rate={NGINX_SOCKET_RATE};
  limit_conn_zone $binary_remote_addr zone=lse_conn:10m;
  limit_req_status 429;
  limit_conn_status 429;
  client_body_temp_path {prefix}/tmp/body;
  proxy_temp_path {prefix}/tmp/proxy;
  fastcgi_temp_path {prefix}/tmp/fastcgi;
  uwsgi_temp_path {prefix}/tmp/uwsgi;
  scgi_temp_path {prefix}/tmp/scgi;
  server_tokens off;
  # Bodies up to 1 MB stay in memory; the channel refuses long messages itself.
  client_max_body_size 1m;
  client_body_buffer_size 1m;

  map $http_upgrade $connection_upgrade {{
    default upgrade;
    ''      close;
  }}

  # REST: any replica can answer any message (shared tracker store + lock store).
  upstream rasa_rest {{
{servers(rasa_ports)}
  }}

  # socket.io: one client stays on one replica (the polling transport and the rooms of
  # python-socketio live in one process).
  upstream rasa_socketio {{
    hash $remote_addr consistent;
{servers(rasa_ports)}
  }}

  upstream action_servers {{
{servers(action_ports)}
  }}

  server {{
    listen {HOST}:{public_port};

    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_connect_timeout 2s;
    proxy_read_timeout 60s;
    # A replica that is down (connection refused, timeout) is skipped; the request goes to
    # the next one. POSTs that already reached a replica are not sent twice.
    proxy_next_upstream error timeout http_502 http_503;
    proxy_next_upstream_tries 2;
    proxy_next_upstream_timeout 10s;

    location /webhooks/ {{
      access_log off;
      limit_req zone=lse_rest burst={NGINX_REST_BURST} nodelay;
      limit_conn lse_conn {NGINX_CONN};
      proxy_pass http://rasa_rest;
      proxy_set_header Connection "";
      {replica_header}
    }}

    location /socket.io/ {{
      access_log off;
      limit_req zone=lse_socket burst={NGINX_SOCKET_BURST} nodelay;
      limit_conn lse_conn {NGINX_CONN};
      proxy_pass http://rasa_socketio;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 1h;
      {replica_header}
    }}

    # The Rasa HTTP API (conversations, model) is not published.
    location / {{
      return 404;
    }}
  }}

  server {{
    listen {HOST}:{actions_port};
    access_log off;  # Rasa's calls to the action servers: one per action, nothing to learn
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_connect_timeout 2s;
    proxy_read_timeout 60s;
    proxy_next_upstream error timeout http_502 http_503;
    proxy_next_upstream_tries 2;
    location / {{
      proxy_pass http://action_servers;
    }}
  }}
}}
"""


@dataclass
class Cluster:
    model: str
    replicas: int = 2
    public_port: int | None = None
    base_dir: Path | None = None
    keep: bool = False
    upstream_header: bool = False
    # Sanic workers per replica (SANIC_WORKERS); more than 1 needs the Redis lock store.
    sanic_workers: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)

    pg_port: int = 0
    redis_port: int = 0
    actions_port: int = 0
    rasa_ports: list[int] = field(default_factory=list)
    action_ports: list[int] = field(default_factory=list)
    servers: list[Servers] = field(default_factory=list)
    services: dict[str, subprocess.Popen] = field(default_factory=dict)
    pg_password: str = ""
    pg_admin_password: str = ""
    redis_password: str = ""
    token: str = ""  # the replicas run without the HTTP API
    _made_base: bool = False

    # ---- addresses -------------------------------------------------------------------
    @property
    def public_url(self) -> str:
        return f"http://{HOST}:{self.public_port}"

    def replica_url(self, index: int) -> str:
        return f"http://{HOST}:{self.rasa_ports[index]}"

    @property
    def base(self) -> Path:
        """The cluster's directory (set by start())."""
        if self.base_dir is None:
            raise RuntimeError("the cluster has not been started")
        return self.base_dir

    @property
    def log_dir(self) -> Path:
        return self.base / "logs"

    @property
    def sender_secret_file(self) -> Path:
        return self.base / "sender_secret"

    def stored_id(self, client_id: str) -> str:
        """The conversation id the replicas store for a client's sender/session id."""
        return self.servers[0].stored_id(client_id)

    def pg_connect(self, dbname: str = "rasa", admin: bool = False):
        """A connection as the application role `lse`, or (admin=True) as the superuser."""
        import psycopg2

        return psycopg2.connect(host=HOST, port=self.pg_port, user=PG_ADMIN if admin else PG_USER,
                                password=self.pg_admin_password if admin else self.pg_password,
                                dbname=dbname, connect_timeout=3)

    # ---- start -----------------------------------------------------------------------
    def start(self, timeout: float = 240.0) -> Cluster:
        started = time.monotonic()
        if self.base_dir is None:
            self.base_dir = Path(tempfile.mkdtemp(prefix="lse-cluster-"))
            self._made_base = True
        self.base_dir = Path(self.base_dir)
        self.base_dir.mkdir(parents=True, exist_ok=True)
        # Service users must be able to reach their own subdirectories (traverse, not list);
        # everything of ours inside is 0600/0700.
        os.chmod(self.base_dir, 0o711)
        self.log_dir.mkdir(exist_ok=True, mode=0o700)
        os.chmod(self.log_dir, 0o700)
        # One secret for every replica: a visitor keeps the conversation on any replica.
        _write_secret(self.sender_secret_file, secrets.token_urlsafe(32))
        self.pg_port = self.pg_port or free_port()
        self.redis_port = self.redis_port or free_port()
        self.public_port = self.public_port or free_port()
        self.actions_port = self.actions_port or free_port()
        self.rasa_ports = self.rasa_ports or [free_port() for _ in range(self.replicas)]
        self.action_ports = self.action_ports or [free_port() for _ in range(self.replicas)]
        self.pg_password = secrets.token_urlsafe(24)
        self.pg_admin_password = secrets.token_urlsafe(24)
        self.redis_password = secrets.token_urlsafe(24)
        _write_secret(self.base / "secrets",
                      f"postgres lse:{self.pg_password}@{HOST}:{self.pg_port}/rasa\n"
                      f"redis :{self.redis_password}@{HOST}:{self.redis_port}/1\n")
        try:
            self._start_postgres()
            self._start_redis()
            self._wait_postgres(60)
            self._start_nginx()
            self._start_replicas(timeout - (time.monotonic() - started))
            deadline = time.monotonic() + 30
            while not _http_ok(f"{self.public_url}/webhooks/rest/"):
                self._check_services()
                if time.monotonic() > deadline:
                    raise TimeoutError("nginx does not pass requests to the replicas")
                time.sleep(0.3)
        except BaseException as error:
            tails = self.log_tails()
            self.stop()
            if isinstance(error, Exception):
                raise RuntimeError(f"the cluster did not start: {error}\n{tails}") from error
            raise
        return self

    def _popen(self, name: str, command: list[str], user=None, **kwargs) -> subprocess.Popen:
        log = private_log(self.log_dir / f"{name}.log")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True,
                                   umask=0o077, **_as_user(user), **kwargs)
        log.close()
        self.services[name] = process
        return process

    def _start_postgres(self) -> None:
        pg_bin = _postgres_bin()
        user = _service_user("postgres")
        pg_dir = self.base / "postgres"
        pg_dir.mkdir(mode=0o700)
        _chown(pg_dir, user)
        password_file = pg_dir / "pwfile"
        _write_secret(password_file, self.pg_admin_password + "\n", user)
        data = pg_dir / "data"
        initdb = subprocess.run(
            [str(pg_bin / "initdb"), "-D", str(data), "-U", PG_ADMIN, f"--pwfile={password_file}",
             "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8",
             "--locale=C", "--no-instructions"],
            cwd=pg_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            **_as_user(user))
        password_file.unlink()
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{initdb.stdout[-2000:]}")
        self._popen("postgres", [
            str(pg_bin / "postgres"), "-D", str(data), "-p", str(self.pg_port),
            "-c", f"listen_addresses={HOST}", "-c", f"unix_socket_directories={pg_dir}",
            "-c", "max_connections=100", "-c", "shared_buffers=64MB",
        ], user=user, cwd=pg_dir)

    def _wait_postgres(self, timeout: float) -> None:
        import psycopg2

        deadline = time.monotonic() + timeout
        while True:
            self._check_services()
            try:
                connection = self.pg_connect("postgres", admin=True)
                break
            except psycopg2.OperationalError as error:
                if time.monotonic() > deadline:
                    raise TimeoutError("PostgreSQL did not start") from error
                time.sleep(0.2)
        connection.autocommit = True
        # The application role may log in and owns its two databases (so it creates the
        # tables, and VACUUMs them after a purge); it is no superuser and makes no roles or
        # databases. The statement carries libpq's SCRAM verifier, never the password, so
        # a statement log (log_statement=ddl) shows nothing usable.
        from psycopg2.extensions import encrypt_password

        verifier = encrypt_password(self.pg_password, PG_USER, connection, "scram-sha-256")
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {PG_USER} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                           "NOREPLICATION NOBYPASSRLS PASSWORD %s", (verifier,))
            cursor.execute(f"CREATE DATABASE rasa OWNER {PG_USER}")
            cursor.execute(f"CREATE DATABASE lse_staff OWNER {PG_USER}")
        connection.close()

    def _start_redis(self) -> None:
        user = _service_user("redis")
        redis_dir = self.base / "redis"
        redis_dir.mkdir(mode=0o700)
        _chown(redis_dir, user)
        config = redis_dir / "redis.conf"
        # Locks only: nothing is saved to disk.
        _write_secret(config, "\n".join([
            f"port {self.redis_port}", f"bind {HOST}", "protected-mode yes", 'save ""',
            "appendonly no", f"dir {redis_dir}", f"requirepass {self.redis_password}",
            "daemonize no", 'logfile ""', "maxmemory 64mb", "maxmemory-policy noeviction",
        ]) + "\n", user)
        self._popen("redis", [_need("redis-server", "redis-server"), str(config)], user=user)
        import redis

        client = redis.Redis(host=HOST, port=self.redis_port, password=self.redis_password,
                             socket_timeout=2, socket_connect_timeout=2)
        deadline = time.monotonic() + 30
        while True:
            self._check_services()
            try:
                if client.ping():
                    client.close()
                    return
            except redis.exceptions.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("Redis did not start")
            time.sleep(0.2)

    def _start_nginx(self) -> None:
        user = _service_user("www-data")
        prefix = self.base / "nginx"
        (prefix / "logs").mkdir(parents=True)
        (prefix / "tmp").mkdir()
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / "tmp" / name).mkdir()
            _chown(prefix / "tmp" / name, user)
        os.chmod(prefix, 0o711)
        os.chmod(prefix / "tmp", 0o711)
        conf = prefix / "nginx.conf"
        assert self.public_port is not None  # set by start()
        conf.write_text(nginx_conf(prefix, self.public_port, self.actions_port, self.rasa_ports,
                                   self.action_ports, user, self.upstream_header))
        os.chmod(conf, 0o600)  # read by the nginx master (root or us) only
        nginx = _need("nginx", "nginx")
        check = subprocess.run([nginx, "-t", "-q", "-p", str(prefix), "-e",
                                str(prefix / "logs" / "error.log"), "-c", str(conf)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx config test failed:\n{check.stdout}")
        self._popen("nginx", [nginx, "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"),
                              "-c", str(conf)])

    @property
    def postgres(self) -> PostgresConfig:
        """Our PostgreSQL instance, in the form servers/ uses: it writes Rasa's
        tracker_store section (SQL, dialect postgresql) with the password as
        ${LSE_PG_PASSWORD}, and gives the servers the LSE_PG_* variables."""
        return PostgresConfig(host=HOST, port=self.pg_port, user=PG_USER,
                              password=self.pg_password, db="rasa", staff_db="lse_staff")

    def endpoints(self) -> dict[str, Any]:
        """What differs from endpoints.yml besides the tracker store. Passwords stay in the
        environment: Rasa expands ${...} when it reads the endpoints file."""
        return {
            "action_endpoint": {"url": f"http://{HOST}:{self.actions_port}/webhook"},
            # Rasa's RedisLockStore with atomic lock changes (see bot/lock_store.py).
            "lock_store": {"type": LOCK_STORE, "url": HOST, "port": self.redis_port,
                           "password": "${LSE_REDIS_PASSWORD}", "db": 1, "key_prefix": "lse"},
        }

    def _replica(self, index: int) -> Servers:
        # SANIC_PROXIES_COUNT=1: nginx's X-Forwarded-For gives the client address that the
        # channels' per-address rate limit uses (the replicas listen on localhost only).
        env = dict(self.extra_env, SANIC_WORKERS=str(self.sanic_workers),
                   LSE_REDIS_PASSWORD=self.redis_password, SANIC_PROXIES_COUNT="1")
        return Servers(model=self.model, rasa_port=self.rasa_ports[index],
                       action_port=self.action_ports[index], log_dir=self.log_dir,
                       postgres=self.postgres, endpoints=self.endpoints(), extra_env=env,
                       sender_secret_file=self.sender_secret_file)

    def _start_replicas(self, timeout: float) -> None:
        self.servers = [self._replica(index) for index in range(self.replicas)]
        errors: list[BaseException] = []

        def start(servers: Servers) -> None:
            try:
                servers.start(timeout=max(timeout, 30))
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=start, args=(servers,)) for servers in self.servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]

    def restart_replica(self, index: int, timeout: float = 180.0) -> None:
        self.servers[index].stop()
        self.servers[index] = self._replica(index)
        self.servers[index].start(timeout=timeout)

    def kill_replica(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Stops one Rasa replica (its action server keeps running)."""
        process = self.servers[index].rasa_process
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def _check_services(self) -> None:
        for name, process in self.services.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} stopped (exit {process.returncode})")

    # ---- status and stop -------------------------------------------------------------
    def dead(self) -> list[str]:
        dead = [name for name, process in self.services.items() if process.poll() is not None]
        for index, servers in enumerate(self.servers):
            dead += [f"replica {index} ({_program(process)})"
                     for process in servers.processes if process.poll() is not None]
        return dead

    def log_tails(self, lines: int = 15) -> str:
        if self.base_dir is None or not self.log_dir.exists():
            return ""
        tails = []
        for log in sorted(self.log_dir.glob("*.log")) + sorted((self.base / "nginx" / "logs").glob("error.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            if text:
                tails.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(tails)

    def stop(self) -> None:
        nginx = self.services.get("nginx")
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGTERM)
        for servers in self.servers:
            servers.stop()
        self.servers = []
        stop_signal = {"postgres": signal.SIGINT}
        for name, process in self.services.items():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, stop_signal.get(name, signal.SIGTERM))
                except ProcessLookupError:
                    pass
        for process in self.services.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.services = {}
        if self._made_base and not self.keep and self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *_exc: Any) -> None:
        self.stop()

    # ---- reading the shared tracker store --------------------------------------------
    def stored_events(self, sender_id: str) -> list[tuple[str, str | None, str | None, str]]:
        """(type_name, intent_name, action_name, data) of one conversation, in stored order;
        `sender_id` is the client's id (stored as its HMAC)."""
        connection = self.pg_connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT type_name, intent_name, action_name, data FROM events "
                               "WHERE sender_id = %s ORDER BY id", (self.stored_id(sender_id),))
                return list(cursor.fetchall())
        finally:
            connection.close()
