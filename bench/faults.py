"""Faults: the load of bench/load.py while a worker is SIGKILLed every 5 s (3 kills),
then the whole server is killed and restarted; then a database that refuses writes;
then an online restore under load (bench/restore_under_load.py).

Respondents retry a request that died on the network (bounded), with the same
submission key, as a browser's reload would. Afterwards: every acknowledged response
is on disk, none twice, counters recount, integrity_check ok. The restore phase: every
acknowledged response is in the restored database or listed by the restore as
discarded (and kept in its safety copy); 0 unaccounted.

    .venv/bin/python bench/faults.py [--seconds 35] [--kills 3] [--every 5]
        [--restore-seconds 20] [--restore-respondents 8]

With --postgres (bench/faults_pg.py): two app instances on one PostgreSQL behind nginx
(deploy/two-hosts/nginx.conf); one instance is killed and restarted, then PostgreSQL
itself crashes and restarts, under load. Respondents reload a page the proxy could not
get an answer for and send again a "could not save just now" page; afterwards every
acknowledged response is stored once, counters recount and the audit chain verifies.

    .venv/bin/python bench/faults.py --postgres [--seconds 60] [--every 10] [--down 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import options  # noqa: E402
from bench.harness import Load  # noqa: E402
from bench.report import check_database, report  # noqa: E402
from bench.restore_under_load import restore_phase  # noqa: E402
from bench.scenarios import refused_write  # noqa: E402
from bench.server import Server  # noqa: E402

RETRIES = 150  # x 0.2 s: a respondent keeps trying for about 30 s


def chaos(server: Server, kills: int, every: float, log: list[str]) -> None:
    """Kill a worker every `every` seconds, then the whole server, then restart it."""
    for _ in range(kills):
        time.sleep(every)
        log.append(f"t={time.monotonic() - START:.1f}s SIGKILL worker {server.kill_worker()}")
    time.sleep(every)
    log.append(f"t={time.monotonic() - START:.1f}s SIGKILL server (master and workers)")
    server.kill()
    server.start()
    log.append(f"t={time.monotonic() - START:.1f}s server restarted")


def kill_phase(args: argparse.Namespace) -> bool:
    """Load while workers and then the whole server are killed; True when it failed."""
    global START
    log: list[str] = []
    with Server(workers=os.cpu_count() or 1) as server:
        load = Load(server.base, args.seconds, args.respondents, args.admins,
                    retries=RETRIES, think=args.think)  # fmt: skip
        START = time.monotonic()
        killer = threading.Thread(target=chaos, args=(server, args.kills, args.every, log))
        killer.start()
        load.run()
        killer.join()
        server.stop()
        checks = check_database(server.database, load.outcomes)
    print("\n".join(log))
    report(load, checks)
    retried = [o for o in load.outcomes if o.submit_retried]
    unresolved = [o for o in load.outcomes if o.result not in ("thanks", "again")]
    print(f"final POSTs retried after a network error: {len(retried)} (told already received:"
          f" {sum(o.result == 'again' for o in retried)}, stored on retry:"
          f" {sum(o.result == 'thanks' for o in retried)}); walks never acknowledged:"
          f" {len(unresolved)} {sorted({o.result for o in unresolved})}")  # fmt: skip
    return bool(
        checks["lost"] or checks["duplicate keys"] or checks["counter mismatches"]
        or checks["integrity"] != "ok" or checks["unacknowledged rows"] or unresolved
        or load.stats.server_errors()
    )  # fmt: skip


def refusal_phase() -> bool:
    """A database that refuses writes (read-only, full); True when it failed."""
    with tempfile.TemporaryDirectory() as tmp:
        refusals = {kind: refused_write(Path(tmp), kind) for kind in ("read-only", "full")}
    for kind, result in refusals.items():
        print(f"database {kind}: " + ", ".join(f"{k} {v}" for k, v in result.items()))
    return any(r["submit status"] != 503 or r["thanked while refusing"] or not r["answers kept"]
               or r["rows after retry"] != 1 for r in refusals.values())  # fmt: skip


OPTIONS = (
    ("--seconds", float, 35), ("--kills", int, 3), ("--every", float, 5),
    ("--respondents", int, 32), ("--admins", int, 20), ("--think", float, 0.0),
    ("--restore-seconds", float, 20), ("--restore-respondents", int, 8),
    ("--postgres", bool, False, "two instances on one PostgreSQL (bench/faults_pg.py)"),
    ("--down", float, 5, "--postgres: seconds PostgreSQL stays down"),
    ("--workers", int, 2, "--postgres: workers of each instance"),
)  # fmt: skip


def main() -> int:
    args = options.parse(__doc__.splitlines()[0], OPTIONS)
    if args.postgres:
        from bench.faults_pg import postgres_phase

        failed = postgres_phase(args)
        print("verdict", "FAIL" if failed else "PASS")
        return 1 if failed else 0
    failed = kill_phase(args)
    failed = refusal_phase() or failed
    phase = restore_phase(seconds=args.restore_seconds, respondents=args.restore_respondents)
    print("restore under load: " + ", ".join(f"{k} {v}" for k, v in phase.items()))
    failed = failed or phase["unaccounted"] != 0 or phase["restore exit"] != 0
    print("verdict", "FAIL" if failed else "PASS")
    return 1 if failed else 0


START = 0.0

if __name__ == "__main__":
    sys.exit(main())
