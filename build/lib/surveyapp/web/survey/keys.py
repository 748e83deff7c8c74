"""Submission keys: a random token signed with the secret key, one per respondent and
questionnaire; an invitation's key is derived from it so it is the same on every device."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def sign(secret: str, survey_id: str, token: str) -> str:
    return hmac.new(secret.encode(), f"{survey_id}:{token}".encode(), hashlib.sha256).hexdigest()[
        :24
    ]


def new_key(secret: str, survey_id: str) -> str:
    token = secrets.token_urlsafe(18)
    return f"{token}.{sign(secret, survey_id, token)}"


def is_ours(secret: str, survey_id: str, key: str) -> bool:
    token, _, signature = key.partition(".")
    if not (token and signature.isascii()):
        return False
    return hmac.compare_digest(signature, sign(secret, survey_id, token))


def invitation_key(secret: str, survey_id: str, token_id: str) -> str:
    """The submission key of an invitation: the same on every device, so the draft
    follows the link; derived with the secret so it does not reveal the token id."""
    digest = hmac.new(secret.encode(), f"draft:{token_id}".encode(), hashlib.sha256)
    token = "inv" + digest.hexdigest()[:24]
    return f"{token}.{sign(secret, survey_id, token)}"
