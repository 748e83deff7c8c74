"""bench/faults.py --postgres: two app instances on one PostgreSQL behind nginx, under the
load of bench/load.py; instance A is killed outright (master, workers and deliverer) and
restarted, then PostgreSQL crashes (`pg_ctl stop -m immediate`) and restarts after
--down seconds. Respondents are patient (bench/harness.py Load.patient): they reload a
page nginx could not get from a dying instance (502) and send again a page refused with
"could not save just now" (503, answers kept), with the same submission key."""

from __future__ import annotations

import argparse
import threading
import time

from bench.harness import Load
from bench.postgres import Postgres, instances_on_postgres
from bench.report import check_database, report
from bench.server import Server

RETRIES = 150  # x 0.2 s (a reload) or 0.5 s (a resend): a respondent keeps trying for 30 s+


def chaos(cluster: Postgres, servers: list[Server], args: argparse.Namespace,
          log: list[str]) -> None:  # fmt: skip
    """Kill instance A at 15% of the run, restart it at 30%; crash PostgreSQL at 55%."""
    start = time.monotonic()

    def at(share: float, then: str) -> None:
        time.sleep(max(0.0, start + share * args.seconds - time.monotonic()))
        log.append(f"t={time.monotonic() - start:.1f}s {then}")

    at(0.15, f"SIGKILL instance A (port {servers[0].port}: master, workers, deliverer)")
    servers[0].kill()
    at(0.30, "restarting instance A")
    servers[0].start(timeout=120)
    log.append(f"t={time.monotonic() - start:.1f}s instance A answers again")
    at(0.55, f"PostgreSQL crashes (immediate stop), down for {args.down:g} s")
    cluster.crash_and_restart(args.down)
    log.append(f"t={time.monotonic() - start:.1f}s PostgreSQL restarted")


def postgres_phase(args: argparse.Namespace) -> bool:
    """The run and its checks; True when it failed."""
    log: list[str] = []
    with Postgres() as cluster:
        url = cluster.database("bench")
        with instances_on_postgres(url, 2, args.workers, 16) as (servers, nginx):
            print(f"nginx {nginx.base} -> instances on ports {[s.port for s in servers]},"
                  f" {args.workers} workers x 16 threads each; {url}", flush=True)  # fmt: skip
            load = Load(nginx.base, args.seconds, args.respondents, args.admins,
                        retries=RETRIES, think=args.think, patient=True)  # fmt: skip
            killer = threading.Thread(target=chaos, args=(cluster, servers, args, log))
            killer.start()
            load.run()
            killer.join()
            for server in servers:
                server.stop()
            checks = check_database(url, load.outcomes, servers[0].audit_key())
    print("\n".join(log))
    report(load, checks)
    return verdict(load, checks)


def verdict(load: Load, checks: dict) -> bool:
    refused = [o for o in load.outcomes if o.not_saved]
    unresolved = [o for o in load.outcomes if o.result not in ("thanks", "again")]
    retried = [o for o in load.outcomes if o.submit_retried]
    print(f"walks shown 'could not save just now' (503) and sent again: {len(refused)}"
          f" ({sum(o.not_saved for o in refused)} pages, answers not kept on"
          f" {sum(o.not_kept for o in refused)}; then acknowledged:"
          f" {sum(o.result in ('thanks', 'again') for o in refused)})")  # fmt: skip
    print(f"final POSTs reloaded after a 502 or a network error: {len(retried)} (told already"
          f" received: {sum(o.result == 'again' for o in retried)}); walks never acknowledged:"
          f" {len(unresolved)} {sorted({o.result for o in unresolved})}")  # fmt: skip
    return bool(
        checks["lost"] or checks["duplicate keys"] or checks["counter mismatches"]
        or checks["audit problems"] or checks["unacknowledged rows"] or unresolved
        or not refused or any(o.not_kept for o in refused)
        or load.stats.statuses.get(500)
    )  # fmt: skip
