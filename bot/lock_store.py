"""A Redis lock store whose every change of a lock is atomic.

Rasa 3.6's `RedisLockStore` keeps a conversation's ticket lock as one JSON value and
changes it by get, change in Python, set (issue a ticket, give one back, drop expired
ones) and by delete when nobody waits. Two replicas that do this at the same moment for one
conversation overwrite each other's change: both get the same ticket number, or one deletes
the lock the other just took a ticket from. Both then handle a message on the same stored
state, and one of the two turns is lost from the tracker store (tests/cluster: six messages
of one conversation sent to two replicas at once lost messages in 6 of 12 rounds with Rasa's
store, none with this one). The ConcurrentRedisLockStore that fixes it is not in Rasa Open
Source 3.6.

This subclass keeps Rasa's ticket-lock algorithm, key names and value format, and does each
read-change-write of a lock inside a Redis transaction (WATCH, MULTI, EXEC; retried when
another replica changed the lock in between).

endpoints.yml:
    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: <redis host>
      port: 6379
      password: ${LSE_REDIS_PASSWORD}
      db: 1
      key_prefix: lse
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

Change = Callable[[TicketLock | None], tuple[TicketLock | None, Any]]


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` with atomic lock changes (safe with several replicas)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        # Rasa builds a custom lock store as `cls(endpoint_config=...)`.
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Change) -> Any:
        """Applies `change` to the stored lock atomically. `change` gets the current lock
        (or None) and returns (the lock to store, or None to delete it; a result)."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Any:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, result = change(lock)
            pipe.multi()
            if new_lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, new_lock.dumps())
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, change)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Gives the ticket back; deletes the lock when nobody else holds a ticket."""

        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, change)
