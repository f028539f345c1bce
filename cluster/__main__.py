"""`make cluster`: runs two Rasa replicas behind nginx in the foreground until Ctrl+C."""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from cluster.launcher import Cluster
from servers import run_until_stopped


def main() -> None:
    os.umask(0o077)  # logs, secrets and databases readable by their owner only
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", help="the trained model (make train prints it)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT", 8080)),
                        help="nginx's public port (default 8080, or $CLUSTER_PORT)")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--sanic-workers", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None,
                        help="directory for PostgreSQL, Redis, nginx and logs (default: a new "
                             "temporary one, removed at the end)")
    parser.add_argument("--keep", action="store_true", help="keep the directory at the end")
    args = parser.parse_args()

    cluster = Cluster(model=args.model, replicas=args.replicas, public_port=args.port,
                      base_dir=args.dir, keep=args.keep, upstream_header=True,
                      sanic_workers=args.sanic_workers)
    print(f"Starting PostgreSQL, Redis, nginx, {args.replicas} action servers and "
          f"{args.replicas} Rasa replicas (about a minute) ...", flush=True)
    started = time.monotonic()
    cluster.start()
    replicas = "\n".join(f"  Rasa replica {i}:     {cluster.replica_url(i)}  (channels only, no HTTP API)"
                         for i in range(args.replicas))
    actions = ", ".join(f"127.0.0.1:{port}" for port in cluster.action_ports)
    print(f"""
The LSE cluster is running (started in {time.monotonic() - started:.0f} s).
  REST via nginx (round robin):  curl -si -X POST {cluster.public_url}/webhooks/rest/webhook \\
                                   -H 'Content-Type: application/json' \\
                                   -d '{{"sender": "me", "message": "mijn zoon kijkt IS-filmpjes"}}'
                                 (the X-LSE-Replica header says which replica answered)
  socket.io via nginx (sticky):  {cluster.public_url}/socket.io
{replicas}
  Action servers:       {actions} (behind nginx on 127.0.0.1:{cluster.actions_port})
  PostgreSQL (tracker store):    127.0.0.1:{cluster.pg_port}, database rasa, user lse
  Redis (lock store):            127.0.0.1:{cluster.redis_port}, db 1
  Passwords:            {cluster.base_dir}/secrets
  Logs:                 {cluster.log_dir} and {cluster.base_dir}/nginx/logs
Press Ctrl+C to stop.""", flush=True)

    def problem():
        dead = cluster.dead()
        return f"Stopped unexpectedly: {', '.join(dead)}; see the logs." if dead else None

    run_until_stopped(problem, cluster.stop)


if __name__ == "__main__":
    main()
