"""Restore under load: the real server (bench/server.py) with respondent threads for a
bounded time; a backup a quarter of the way in, `surveyapp restore` of that backup half
way; then every acknowledged (thank-you page) response is accounted for: in the restored
database, listed by the restore as discarded (and present in its safety copy), or
unaccounted (must be 0).

    .venv/bin/python bench/restore_under_load.py [--seconds 20] [--respondents 8] [--preload 0]

--preload N stores N responses before the run, to see how long a restore of that size
holds writers out ("writes held seconds", as the restore prints it).

bench/faults.py can run it as a phase: `restore_phase(seconds, respondents)` returns the
figures; the phase fails when figures["unaccounted"] or figures["restore exit"] is not 0.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import options  # noqa: E402
from bench.harness import Load, answers_for, shipped_definitions  # noqa: E402
from bench.server import Server  # noqa: E402
from surveyapp import store  # noqa: E402
from surveyapp.questionnaire.answers import counted_fields  # noqa: E402
from surveyapp.store.restore import read_listing  # noqa: E402

ACKNOWLEDGED = ("thanks", "again")


def _command(server: Server, *args: str) -> subprocess.CompletedProcess:
    surveyapp = str(Path(sys.executable).parent / "surveyapp")
    return subprocess.run(  # noqa: S603 - our own venv's command, fixed arguments
        [surveyapp, *args], env=server.env, capture_output=True, text=True, timeout=300
    )


def _keys(path: Path) -> set[str]:
    db = store.connect(path)
    try:
        return {key for (key,) in db.execute("SELECT submission_key FROM responses") if key}
    finally:
        db.close()


def _preload(database: Path, count: int) -> None:
    """`count` valid responses to the shipped questionnaires, 10,000 a transaction."""
    rng, definitions = random.Random(7), shipped_definitions()
    db = store.connect(database)
    try:
        for start in range(0, count, 10_000):
            rows = []
            for _ in range(start, min(count, start + 10_000)):
                d = rng.choice(definitions)
                answers = {k: v for page in answers_for(d, rng) for k, v in page.items() if v}
                rows.append({"survey": d.id, "edition": d.edition, "version": d.version,
                             "answers": answers, "counted": counted_fields(d)})  # fmt: skip
            store.insert_many(db, rows)
    finally:
        db.close()


def _operator(server: Server, seconds: float, backup: Path, log: dict) -> None:
    """Back up at a quarter of the run, restore that backup half way."""
    time.sleep(seconds / 4)
    log["backup"] = _command(server, "backup", str(backup))
    time.sleep(seconds / 4)
    began = time.monotonic()
    log["restore"] = _command(server, "restore", str(backup), "--yes")
    log["restore seconds"] = time.monotonic() - began


def _held(output: str) -> str:
    found = re.search(r"held out for ([0-9.]+) s", output)
    return found.group(1) if found else "?"


def _account(server: Server, load: Load) -> dict:
    acknowledged = {o.key for o in load.outcomes if o.result in ACKNOWLEDGED}
    [safety] = server.database.parent.glob(server.database.name + ".before-restore-*Z")
    listed_in = safety.with_name(safety.name + ".discarded.csv")
    listing = read_listing(listed_in) if listed_in.exists() else []
    listed = {row["submission_key"] for row in listing if row["submission_key"]}
    live, kept = _keys(server.database), _keys(safety)
    discarded = (acknowledged - live) & listed & kept
    lost = acknowledged - live - discarded
    return {
        "acknowledged": len(acknowledged),
        "in restored database": len(acknowledged & live),
        "listed as discarded": len(discarded),
        "unaccounted": len(lost),
        "  of which only in the safety copy, unlisted": len(lost & kept),
        "  of which nowhere": len(lost - kept),
        "listing rows": len(listing),
        "refused 503": sum(o.result == "status 503" for o in load.outcomes),
        "other failures": sum(o.result not in (*ACKNOWLEDGED, "status 503") for o in load.outcomes),
        "safety copy": str(safety),
    }


def restore_phase(seconds: float = 20, respondents: int = 8, preload: int = 0) -> dict:
    """One run: server, load, backup, restore mid-way; the figures (see the docstring)."""
    with tempfile.TemporaryDirectory(prefix="surveyapp-restore-") as tmp:
        folder = Path(tmp)
        log: dict = {}
        server = Server(folder / "live", workers=2, threads=8)
        with server:
            _preload(server.database, preload)
            load = Load(server.base, seconds, respondents, admins=0)
            operator = threading.Thread(
                target=_operator, args=(server, seconds, folder / "backup.db", log)
            )
            operator.start()
            load.run()
            operator.join()
            server.stop()
            figures = {
                "backup exit": log["backup"].returncode,
                "restore exit": log["restore"].returncode,
                "restore seconds": round(log["restore seconds"], 2),
                "writes held seconds": _held(log["restore"].stdout),
            }
            if log["restore"].returncode == 0:
                figures |= _account(server, load)
            else:
                figures["unaccounted"] = -1
                figures["restore output"] = log["restore"].stderr[-2000:]
    return figures


def main() -> int:
    table = (("--seconds", float, 20), ("--respondents", int, 8), ("--preload", int, 0))
    args = options.parse(__doc__.splitlines()[0], table)
    figures = restore_phase(args.seconds, args.respondents, args.preload)
    for name, value in figures.items():
        print(f"{name}: {value}")
    failed = figures["unaccounted"] != 0 or figures["restore exit"] != 0
    print("verdict", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
