"""A conversation as the tracker store holds it, read from its database (the Rasa HTTP API
is off): the same dictionary `GET /conversations/<id>/tracker` gave."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def _slots():
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml")).slots


def stored_tracker(servers: Any, client_id: str) -> dict[str, Any]:
    """`servers` is a `servers.Servers`; `client_id` the REST sender or the
    socket.io session id the client used."""
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    events = servers.tracker_events(client_id)
    tracker = DialogueStateTracker.from_dict(servers.stored_id(client_id), events, _slots())
    return tracker.current_state(EventVerbosity.AFTER_RESTART)
