"""Webhook faults: respondents (forms) and API clients submit while the webhook deliverer
is SIGKILLed every few seconds (its supervisor starts it again) and then the whole server
(master, workers, deliverer) is killed and restarted. Afterwards every acknowledged
response, and every response stored at all, must have reached the receiver at least
once (duplicates allowed, loss not), every signature must verify with `standardwebhooks`
and every delivered message must have a logged successful attempt.

    .venv/bin/python bench/webhook_faults.py [--seconds 30] [--kills 3] [--every 4]
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import options  # noqa: E402
from bench.harness import ADMIN_USER, NETWORK_ERRORS, Load  # noqa: E402
from bench.receiver import Receiver, verified  # noqa: E402
from bench.server import Server  # noqa: E402
from surveyapp import store  # noqa: E402
from surveyapp.store import deliveries, tokens, webhooks  # noqa: E402

RETRIES = 150  # x 0.2 s: a client keeps trying for about 30 s
ANSWERS = {
    "company_size": "small",
    "region": "europe",
    "problems-communicate": "rare",
    "problems-timeframes": "rare",
    "problems-cost_containment": "rare",
    "problems-process_variability": "rare",
    "problems-tech_transfer": "rare",
    "problems-scale_differences": "rare",
    "problems-difficult_problems": "rare",
    "problems-regulatory_role": "rare",
    "problems-hand_off": "rare",
    "problems-unsuitable_cell_lines": "rare",
}


def api_client(base: str, token: str, deadline: float, acknowledged: list[str]) -> None:
    """Submit until the deadline; a request that died is sent again with its key until
    it is answered (200: stored before, 201: stored now)."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < deadline:
        key = uuid.uuid4().hex
        for _ in range(RETRIES):
            with contextlib.suppress(*NETWORK_ERRORS):
                answer = session.post(
                    f"{base}/api/v1/questionnaires/cmo/responses",
                    json={"answers": ANSWERS},
                    timeout=15,
                    headers=headers | {"Idempotency-Key": key},
                )
                if answer.status_code in (200, 201):
                    acknowledged.append(answer.json()["response_id"])
                    break
            time.sleep(0.2)


def chaos(server: Server, kills: int, every: float, log: list[str], start: float) -> None:
    def note(text: str) -> None:
        log.append(f"t={time.monotonic() - start:.1f}s {text}")

    for _ in range(kills):
        time.sleep(every)
        pids = server.deliverer_pids()
        if len(pids) > 1:
            os.kill(pids[-1], signal.SIGKILL)
            note(f"SIGKILL deliverer {pids[-1]}")
        else:
            note("no deliverer running to kill (its supervisor is starting one)")
    time.sleep(every)
    server.kill()
    note("SIGKILL server (master, workers, deliverer)")
    server.start()
    note("server restarted")


def prepare(server: Server, url: str) -> tuple[dict[str, str], str]:
    """Endpoints for both questionnaires ({path: secret}) and a write token."""
    db = store.connect(server.database)
    try:
        secrets = {
            f"/hook?{survey}": webhooks.add_endpoint(
                db, survey, f"{url}?{survey}", ["response.completed"], "bench"
            )[1]
            for survey in ("cmo", "client")
        }
        return secrets, tokens.create(db, ADMIN_USER, "write")[1]
    finally:
        db.close()


def settled(database: Path) -> tuple[dict, dict[str, int], dict[str, str | None]]:
    """(outbox states, {response id: logged 2xx attempts}, {response id: submission key}
    of every stored response)."""
    db = store.connect(database)
    try:
        stored = dict(db.execute("SELECT response_id, submission_key FROM responses").fetchall())
        logged = deliveries.delivered_subjects(db, "response.completed")
        return deliveries.summary(db), logged, stored
    finally:
        db.close()


def drain(server: Server, seconds: float) -> float:
    """Wait (at most `seconds`) until no message is pending; how long it took."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        summary, _logged, _ids = settled(server.database)
        if summary["pending"] == 0:
            break
        time.sleep(0.5)
    return time.monotonic() - start


OPTIONS = (
    ("--seconds", float, 30), ("--kills", int, 3), ("--every", float, 4),
    ("--respondents", int, 8), ("--api-clients", int, 4), ("--drain", float, 120),
)  # fmt: skip


def main() -> int:
    args, log = options.parse(__doc__.splitlines()[0], OPTIONS), []
    server = Server(workers=2, threads=8)
    server.env |= {"SURVEYAPP_WEBHOOKS_ALLOW_PRIVATE": "true", "SURVEYAPP_API_RATE_LIMIT": "0"}
    with Receiver() as receiver, server:
        secrets, token = prepare(server, receiver.url)
        start, acknowledged = time.monotonic(), []
        end = start + args.seconds
        threads = [threading.Thread(target=api_client, args=(server.base, token, end, acknowledged))
                   for _ in range(args.api_clients)]  # fmt: skip
        threads.append(
            threading.Thread(target=chaos, args=(server, args.kills, args.every, log, start))
        )
        for thread in threads:
            thread.start()
        load = Load(server.base, args.seconds, args.respondents, 0, retries=RETRIES).run()
        for thread in threads:
            thread.join()
        waited = drain(server, args.drain)
        time.sleep(1)  # the receiver's last answers are in
        print("\n".join(log))
        print(
            f"{args.seconds:g} s of load, {args.respondents} respondents and"
            f" {args.api_clients} API clients; {args.kills} deliverer kills, 1 server kill"
        )
        return report(load, acknowledged, receiver, secrets, settled(server.database), waited)


def signed_ids(receiver: Receiver, secrets: dict[str, str]) -> tuple[list[str], int]:
    """The response ids of the receipts whose signature verifies, and how many did not."""
    received, bad = [], 0
    for got in receiver.received:
        try:
            received.append(verified(secrets[got.path], got)["data"]["response_id"])
        except Exception:  # noqa: BLE001 - a receipt that does not verify is counted
            bad += 1
    return received, bad


def report(load, api_ids, receiver, secrets, settled_, waited) -> int:
    summary, logged, stored = settled_
    keys = {key: rid for rid, key in stored.items() if key}
    form_keys = {o.key for o in load.outcomes if o.result in ("thanks", "again")}
    forms = {keys.get(key, f"missing:{key}") for key in form_keys}
    received, bad = signed_ids(receiver, secrets)
    delivered, acknowledged = set(received), set(api_ids) | forms
    lost, undelivered = acknowledged - delivered, set(stored) - delivered
    unlogged = [rid for rid in stored if not logged.get(rid)]
    print(f"acknowledged: {len(acknowledged)} (forms {len(forms)}, API {len(api_ids)});"
          f" stored: {len(stored)}")  # fmt: skip
    print(f"receipts: {len(received) + bad}, distinct responses {len(delivered)},"
          f" duplicates {len(received) - len(delivered)}, bad signatures {bad}")  # fmt: skip
    print(f"outbox after {waited:.1f} s of draining: {summary}; logged 2xx attempts:"
          f" {sum(logged.values())}; receipts without a log entry (a kill between the"
          f" answer and the log): {len(received) - sum(logged.values())}")  # fmt: skip
    print(f"lost (acknowledged, never delivered): {len(lost)}; stored, never delivered:"
          f" {len(undelivered)}; stored without a logged delivery: {len(unlogged)}")  # fmt: skip
    failed = lost or undelivered or unlogged or bad or summary["pending"] or summary["dead"]
    print("verdict", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
