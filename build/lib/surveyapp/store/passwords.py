"""The one password policy (CLI, first-admin bootstrap, the accounts page), generated
passwords, and hashing.

common-passwords.txt.gz is byte-identical to django/contrib/auth/common-passwords.txt.gz
of Django 5.2.19 (BSD-3-Clause): 19,640 common passwords, lowercased, from Royce
Williams' list.
"""

from __future__ import annotations

import functools
import gzip
import secrets
import string
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 1000
MIN_DISTINCT = 5
COMMON_FILE = Path(__file__).with_name("common-passwords.txt.gz")
_TRAILING = string.digits + string.punctuation + string.whitespace


class PasswordRefused(ValueError):
    """The password does not meet the policy; the message says why."""


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def problem(password: str) -> str | None:
    """Why `password` is refused, or None when it meets the policy."""
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"The password must have at most {MAX_LENGTH} characters."
    lowered = password.lower()
    common = common_passwords()
    if lowered in common or lowered.rstrip(_TRAILING) in common:
        return "That password is in a list of common passwords: choose another."
    if len(set(lowered)) < MIN_DISTINCT:
        return f"The password must use at least {MIN_DISTINCT} different characters."
    return None


def check(password: str) -> str:
    """`password` itself when it meets the policy; else PasswordRefused."""
    refused = problem(password)
    if refused:
        raise PasswordRefused(refused)
    return password


def generate() -> str:
    """A random password of 20 URL-safe characters (120 bits), shown to its owner once."""
    while True:
        password = secrets.token_urlsafe(15)
        if problem(password) is None:
            return password


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def matches(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)
