"""Real servers for the staff app tests: action server, Rasa server and the web app, on free
ports, with a temporary tracker database (SQLite) and a temporary staff database.

Before the servers start, the tracker database gets conversations at chosen moments (written
with Rasa's own tracker store, see seed.py): the worried parent from last night, one past
the retention period (the web app's automatic purge must delete it) and one just inside it.
The staff accounts are made with the command line tool, the password on stdin: an admin, a
staff member with the right to search visitors' messages (most tests search as her) and
one without it (READER).
"""
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from servers import Servers, free_port
from tests.staff import seed
from tests.staff.helpers import (
    ADMIN,
    EXPIRED_ID,
    FALLBACK_ID,
    FILLER_COUNT,
    KEPT_ID,
    PARENT_ID,
    READER,
    STAFF,
    StaffClient,
    cli_env,
    model_path,
    run_cli,
)


@dataclass
class Stack:
    servers: Servers
    tracker_db: Path
    staff_db: Path
    log_dir: Path

    @property
    def web(self) -> str:
        return self.servers.web_url

    def client(self) -> StaffClient:
        return StaffClient(self.web)

    def admin(self) -> StaffClient:
        return self.client().logged_in(*ADMIN)

    def staff(self) -> StaffClient:
        return self.client().logged_in(*STAFF)

    def reader(self) -> StaffClient:
        return self.client().logged_in(*READER)

    def cli(self, *args: str, stdin: str = ""):
        return run_cli(args, cli_env(self.tracker_db, self.staff_db), stdin)

    def store(self):
        return seed.store_for(self.tracker_db)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("staff")
    tracker_db, staff_db, log_dir = tmp / "conversations.db", tmp / "staff.db", tmp / "logs"
    store = seed.store_for(tracker_db)
    now = dt.datetime.now(seed.AMSTERDAM)
    seed.write(store, PARENT_ID, seed.worried_parent())
    seed.write(store, EXPIRED_ID, seed.short_conversation(now - dt.timedelta(days=40)))
    seed.write(store, KEPT_ID, seed.short_conversation(now - dt.timedelta(days=29)))
    seed.write(store, FALLBACK_ID, seed.not_understood(now - dt.timedelta(days=2)))
    for number in range(FILLER_COUNT):
        seed.write(store, f"vul-{number:02d}", seed.short_conversation(
            now - dt.timedelta(days=3, minutes=number), f"vulgesprek nummer {number}"))
    store.engine.dispose()
    env = cli_env(tracker_db, staff_db)
    for (name, password), options in ((ADMIN, ["--admin"]), (STAFF, ["--may-search"]),
                                      (READER, [])):
        made = run_cli(["create-user", name] + options, env, password + "\n")
        assert made.returncode == 0, made.stderr
    servers = Servers(model=model_path(), rasa_port=free_port(), action_port=free_port(),
                      web_port=free_port(), tracker_db=str(tracker_db), staff_db=str(staff_db),
                      log_dir=log_dir,
                      extra_env={"LSE_STAFF_PURGE_DELAY_SECONDS": "2",
                                 "LSE_STAFF_INDEX_INTERVAL_SECONDS": "2",
                                 # as behind nginx: one proxy, whose X-Forwarded-For counts
                                 "LSE_PROXIES_COUNT": "1"})
    servers.start()
    yield Stack(servers, tracker_db, staff_db, log_dir)
    servers.stop()
