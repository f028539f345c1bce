"""Starts the throwaway cluster (PostgreSQL, Redis, nginx, 2 action servers, 2 Rasa replicas)
once for the module, with the launcher `make cluster` uses."""
import os
import shutil
from pathlib import Path

import pytest

from cluster.launcher import Cluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster():
    model = os.environ.get("LSE_MODEL") or str(ROOT / "models" / "current.tar.gz")
    if not Path(model).exists():
        pytest.fail(f"no trained model at {model}: run 'make train' first")
    for binary in ("redis-server", "nginx"):
        if not (shutil.which(binary) or Path(f"/usr/sbin/{binary}").exists()):
            pytest.fail(f"{binary} is missing: apt-get install -y postgresql redis-server nginx")
    running = Cluster(model=model, replicas=2, upstream_header=True)
    running.start()
    yield running
    running.stop()
