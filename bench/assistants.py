"""Train, start and measure the two assistants: ours (servers/, as `make run`
starts it) and Rasa's starter assistant (`rasa init`), served the same way on other ports:
`rasa run` with the HTTP API, a SQLite SQL tracker store and the in-memory lock store."""
from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import yaml

from servers import Servers, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent

VENV_BIN = Path(sys.executable).parent
RASA = str(VENV_BIN / "rasa")


def base_env(**extra: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), SQLALCHEMY_SILENCE_UBER_WARNING="1",
                TF_CPP_MIN_LOG_LEVEL="3", RASA_TELEMETRY_ENABLED="false", **extra)


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rasa_version = subprocess.run([str(VENV_BIN / "python"), "-c",
                                   "import importlib.metadata as m; print(m.version('rasa'))"],
                                  stdout=subprocess.PIPE, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": psutil.cpu_count(logical=True),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "rasa": rasa_version,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of a process and all its children."""
    try:
        process = psutil.Process(pid)
        processes = [process] + process.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for each in processes:
        try:
            total += each.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


class RssSampler:
    """Samples the resident memory of a process tree every `interval` seconds, with the
    number of messages done so far (given by `progress`)."""

    def __init__(self, pid: int, interval: float = 0.5,
                 progress: Callable[[], int] = lambda: 0) -> None:
        self.pid, self.interval, self.progress = pid, interval, progress
        self.samples: list[dict[str, float]] = []
        self._task: asyncio.Task | None = None

    def sample(self) -> int:
        rss = tree_rss(self.pid)
        self.samples.append({"t": time.monotonic(), "messages": self.progress(), "rss": rss})
        return rss

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def __enter__(self) -> RssSampler:
        self._task = asyncio.get_running_loop().create_task(self._loop())
        return self

    def __exit__(self, *_exc: Any) -> None:
        if self._task:
            self._task.cancel()
        self.sample()

    @property
    def peak(self) -> int:
        return int(max((s["rss"] for s in self.samples), default=0))


def train(cwd: Path, command: list[str], cache_dir: Path, log: Path) -> float:
    """Runs a training command with an empty Rasa cache ("from scratch"); wall seconds."""
    shutil.rmtree(cache_dir, ignore_errors=True)
    cache_dir.mkdir(parents=True)
    started = time.perf_counter()
    with open(log, "ab") as handle:
        result = subprocess.run(command, cwd=cwd, env=base_env(RASA_CACHE_DIRECTORY=str(cache_dir)),
                                stdout=handle, stderr=subprocess.STDOUT, timeout=3600)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"training failed (exit {result.returncode}), see {log}")
    return seconds


def first_answer(url: str, sender: str = "bench-cold-start", text: str = "hallo",
                 timeout: float = 60) -> None:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url + "/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        replies = json.loads(answer.read())
    if answer.status != 200 or not isinstance(replies, list):
        raise RuntimeError(f"the first message got HTTP {answer.status}")


@dataclass
class Running:
    """A started assistant: where to talk to it and which process to measure."""
    name: str
    url: str
    rasa_pid: int
    cold_start_seconds: float
    stop: Callable[[], None]
    other_pids: dict[str, int] = field(default_factory=dict)
    servers: Servers | None = None  # ours: reads the tracker store (bench/soak.py)


# ---- our assistant -------------------------------------------------------------------------
def train_lse(workdir: Path, config: Path) -> tuple:
    out = workdir / "models"
    out.mkdir(parents=True, exist_ok=True)
    seconds = train(ROOT, [RASA, "train", "--config", str(config), "--domain", "domain.yml",
                           "--data", "bot/data", "--out", str(out), "--fixed-model-name",
                           "lse-bench", "--quiet"],
                    workdir / "cache-lse", workdir / "train-lse.log")
    return str(out / "lse-bench.tar.gz"), seconds


def start_lse(model: str, workdir: Path, sanic_workers: int = 1) -> Running:
    """Starts the action server and the Rasa server as `make run` does (SQLite tracker
    store in the work directory); cold start = process start to the first answer."""
    # LSE_RATE_LIMITS=off: the benchmark sends far more than one visitor may, from one address.
    servers = Servers(model=model, rasa_port=free_port(), action_port=free_port(),
                      tracker_db=str(workdir / "lse-conversations.db"), log_dir=workdir / "logs",
                      extra_env={"SANIC_WORKERS": str(sanic_workers), "LSE_RATE_LIMITS": "off"})
    started = time.perf_counter()
    servers.start(timeout=300)
    first_answer(servers.rasa_url)
    cold = time.perf_counter() - started
    return Running("lse", servers.rasa_url, servers.rasa_process.pid, cold, servers.stop,
                   {"action server": servers.processes[0].pid}, servers)


# ---- Rasa's starter assistant ----------------------------------------------------------------
def train_starter(workdir: Path) -> tuple:
    """`rasa init --no-prompt` in a new directory: copies the starter project and trains it
    with Rasa's default configuration, with an empty cache; timed as its training."""
    project = workdir / "starter"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    seconds = train(project, [RASA, "init", "--no-prompt", "--init-dir", str(project)],
                    workdir / "cache-starter", workdir / "train-starter.log")
    models = sorted((project / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"rasa init made no model in {project / 'models'}")
    return str(models[-1]), seconds


def start_starter(model: str, workdir: Path, sanic_workers: int = 1) -> Running:
    project = workdir / "starter"
    project.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (workdir / "logs").mkdir(parents=True, exist_ok=True)
    credentials = project / "bench-credentials.yml"
    credentials.write_text("rest:\n")
    endpoints = project / "bench-endpoints.yml"
    endpoints.write_text(yaml.safe_dump({
        "tracker_store": {"type": "SQL", "dialect": "sqlite",
                          "db": str(workdir / "starter-conversations.db")},
        "lock_store": {"type": "in_memory"},
    }))
    log = open(workdir / "logs" / f"starter-{port}.log", "ab")
    started = time.perf_counter()
    # Without the HTTP API, like ours; ready when the REST channel's health route answers.
    process = subprocess.Popen(
        [RASA, "run", "--model", model,
         "--interface", "127.0.0.1", "--port", str(port), "--credentials", str(credentials),
         "--endpoints", str(endpoints)],
        cwd=project, env=base_env(SANIC_HOST="127.0.0.1", SANIC_WORKERS=str(sanic_workers)),
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop() -> None:
        if process.poll() is None:
            os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()

    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/webhooks/rest/", 300, [process])
        first_answer(url)
    except Exception:
        stop()
        raise
    return Running("starter", url, process.pid, time.perf_counter() - started, stop)


def new_workdir(keep_in: Path | None = None) -> Path:
    if keep_in:
        keep_in.mkdir(parents=True, exist_ok=True)
        return keep_in
    return Path(tempfile.mkdtemp(prefix="lse-bench-"))
