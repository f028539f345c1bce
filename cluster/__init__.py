"""Several Rasa replicas on one machine: PostgreSQL, Redis, nginx, 2 action servers, 2 Rasa servers.

`python -m cluster MODEL` (or `make cluster`) runs it in the foreground; tests/cluster uses
the same `cluster.launcher.Cluster`. `bot.lock_store.AtomicRedisLockStore` is the lock
store the replicas use. See docs/deployment.md for the production mapping.
"""
