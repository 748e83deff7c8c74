"""What a language costs the respondent hot path: building `cmo` in French once, then
`localized()` per request (a cached look-up), against the baseline of a catalogue look-up
the hot path already does (`Catalog.by_version`). Prints figures; asserts nothing.

    .venv/bin/python -m bench.translations
"""

from __future__ import annotations

import time

from surveyapp import SHIPPED_SURVEYS
from surveyapp.questionnaire.loader import load_all
from surveyapp.questionnaire.translations import localized

ROUNDS = 100_000


def _per_call(call, rounds: int = ROUNDS) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        call()
    return (time.perf_counter() - started) / rounds * 1e6


def main() -> None:
    catalog = load_all(sorted(SHIPPED_SURVEYS.glob("*.yaml")))
    cmo = catalog.latest("cmo")
    started = time.perf_counter()
    localized(cmo, "fr")
    first = (time.perf_counter() - started) * 1e6
    baseline = _per_call(lambda: catalog.by_version(cmo.version))
    cached = _per_call(lambda: localized(cmo, "de"))
    default = _per_call(lambda: localized(cmo, "en"))
    print(f"cmo in French, built once: {first:.0f} µs")
    print(f"per request: localized(cmo, 'de') {cached:.2f} µs, localized(cmo, 'en') "
          f"{default:.2f} µs; baseline Catalog.by_version {baseline:.2f} µs")  # fmt: skip


if __name__ == "__main__":
    main()
