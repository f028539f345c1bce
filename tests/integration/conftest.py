"""Starts the real action server and Rasa server on the trained model, once per test run."""
import os
from pathlib import Path

import pytest

from servers import Servers, free_port

ROOT = Path(__file__).resolve().parents[2]



@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    model = os.environ.get("LSE_MODEL") or str(ROOT / "models" / "current.tar.gz")
    if not Path(model).exists():
        pytest.fail(f"no trained model at {model}: run 'make train' first")
    db = tmp_path_factory.mktemp("db") / "conversations.db"
    running = Servers(model=model, rasa_port=free_port(), action_port=free_port(),
                      tracker_db=str(db), log_dir=tmp_path_factory.mktemp("logs"))
    # A permissive umask, as a developer's shell has: the servers' files must still be
    # private (tests/integration/test_hardening.py).
    old = os.umask(0o022)
    try:
        running.start()
    finally:
        os.umask(old)
    yield running
    running.stop()
