"""Answers the browser respondents give, varied so that a mixed-up field would show."""

from __future__ import annotations

from tests.walker import client_answers, cmo_answers

COMMONNESS = ["very_common", "somewhat_common", "rare", "not_a_problem"]
IMPORTANCE = ["very_important", "important", "somewhat_important", "not_important"]


def varied(pages: list[dict], scale: list[str]) -> list[dict]:
    matrix = {name: scale[i % len(scale)] for i, name in enumerate(pages[1])}
    return [pages[0], matrix, pages[2]]


def cmo_pages(comments: str = "Clients could plan tech transfer earlier.") -> list[dict]:
    return varied(cmo_answers(size="medium", region="europe", comments=comments), COMMONNESS)


def client_pages(comments: str = "Schedules matter most to us.") -> list[dict]:
    return varied(client_answers(size="large", region="asia", comments=comments), IMPORTANCE)


def merged(pages: list[dict]) -> dict:
    return {name: value for answers in pages for name, value in answers.items()}
