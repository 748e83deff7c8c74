"""Benchmark: reading the shipped questionnaires' YAML, libyaml's parser against the
pure-Python one, both with every scalar read as a string.

    .venv/bin/python bench/yaml_read.py [--rounds 20]

Parses each shipped definition `rounds` times with each reader, alternately, and prints the
median milliseconds per parse and their ratio (baseline: the pure-Python reader in the same
run). Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time

import yaml

from surveyapp import SHIPPED_SURVEYS
from surveyapp.questionnaire.loader import StringLoader, read_yaml


def pure(text: str) -> object:
    return yaml.load(text, Loader=StringLoader)  # noqa: S506 - a SafeLoader subclass


def timed(read, text: str) -> float:
    start = time.perf_counter()
    read(text)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    print(f"PyYAML {yaml.__version__}, libyaml: {yaml.__with_libyaml__}; {rounds} rounds")
    print(f"{'definition':<16}{'KiB':>6}{'pure ms':>10}{'libyaml ms':>12}{'ratio':>8}")
    for path in sorted(SHIPPED_SURVEYS.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        slow, fast = [], []
        for _ in range(rounds):
            slow.append(timed(pure, text))
            fast.append(timed(read_yaml, text))
        a, b = statistics.median(slow), statistics.median(fast)
        kib = len(text.encode()) / 1024
        print(f"{path.name:<16}{kib:>6.1f}{a:>10.2f}{b:>12.2f}{a / b:>7.1f}x")


if __name__ == "__main__":
    main()
