"""`deliver-webhooks`: the process that sends the outbox's webhooks (exchange/webhooks.py).

`serve` starts it beside gunicorn as a small supervisor (`--supervise --exit-with PID`):
the supervisor runs the deliverer as its own child and starts it again if it dies, and
both stop when the server process PID ends, so no deliverer outlives its server. A killed
deliverer loses nothing: what it held is sent again when the next one starts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli import open_store
from surveyapp.exchange.webhooks import Deliverer

POLL_SECONDS = 0.5
RESTART_SECONDS = (0.5, 1, 2, 5, 10, 30)


class _Stop:
    """Set by SIGTERM or SIGINT; and, with a server PID, by the server ending."""

    def __init__(self, server: int | None):
        self.server, self.asked = server, False
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._ask)

    def _ask(self, _sig, _frame) -> None:
        self.asked = True

    def __call__(self) -> bool:
        return self.asked or (self.server is not None and os.getppid() != self.server)


def _deliver(stop: _Stop) -> None:
    open_store()
    config = current_app.config
    deliverer = Deliverer(config["DATABASE"], bool(config["WEBHOOKS_ALLOW_PRIVATE"]))
    deliverer.run(lambda: not stop())


def _child() -> list[str]:
    return [sys.executable, "-m", "surveyapp", "deliver-webhooks", "--exit-with", str(os.getpid())]


def _end(child: subprocess.Popen) -> None:
    child.terminate()
    try:
        child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def supervise(stop: Callable[[], bool], command: list[str]) -> None:
    """Run `command`, start it again when it ends (waiting longer after each quick end)
    until `stop()`, then end it."""
    restarts = 0
    while not stop():
        started = time.monotonic()
        child = subprocess.Popen(command)  # noqa: S603 - our own interpreter and command
        while child.poll() is None and not stop():
            time.sleep(POLL_SECONDS)
        if child.poll() is None:
            _end(child)
            return
        click.echo(f"deliver-webhooks ended ({child.returncode}); starting it again", err=True)
        restarts = 0 if time.monotonic() - started > 60 else restarts + 1
        time.sleep(RESTART_SECONDS[min(restarts, len(RESTART_SECONDS) - 1)])


@click.command("deliver-webhooks")
@with_appcontext
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--exit-with", type=int, metavar="PID", help="Stop when process PID ends.")
@click.option("--supervise", "supervised", is_flag=True,
              help="Run the deliverer as a child and start it again if it dies.")  # fmt: skip
def deliver_command(once: bool, exit_with: int | None, supervised: bool) -> None:
    """Deliver webhooks from the outbox, with retries, until stopped (`serve` starts it)."""
    stop = _Stop(exit_with)
    if supervised:
        supervise(stop, _child())
        return
    if once:
        config = current_app.config
        open_store()
        deliverer = Deliverer(config["DATABASE"], bool(config["WEBHOOKS_ALLOW_PRIVATE"]))
        deliverer.start()
        click.echo(f"{deliverer.run_once()} message(s) taken.")
        return
    _deliver(stop)


COMMANDS = [deliver_command]
