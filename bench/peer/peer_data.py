"""Run in the peer's venv: fill N responses with the ORM's bulk_create, then time its
results CSV (`/survey/csv/1/`) through Django's test client. Prints JSON.

    PEER_DB=... PEER_CSV_DIR=... DJANGO_SETTINGS_MODULE=peer_settings python peer_data.py N
(after setup_peer.py). The first request writes the CSV (the export); later ones serve
the file it cached until a newer answer arrives (the results download).
"""

import json
import random
import statistics
import sys
import time

import django

django.setup()

from django.test import Client  # noqa: E402
from survey.models import Answer, Question, Response, Survey  # noqa: E402

BATCH = 2_000


def fill(total: int) -> None:
    survey = Survey.objects.get(pk=1)
    questions = list(Question.objects.filter(survey=survey).order_by("order"))
    rng = random.Random(total)
    done = 0
    while done < total:
        size = min(BATCH, total - done)
        responses = Response.objects.bulk_create(
            [Response(survey=survey, interview_uuid=f"bench-{done + n}") for n in range(size)]
        )
        answers = []
        for response in responses:
            for question in questions:
                choices = question.get_clean_choices()
                body = rng.choice(choices) if choices else rng.choice(["", "Fine.", "Late"])
                answers.append(Answer(question=question, response=response, body=body))
        Answer.objects.bulk_create(answers)
        done += size


def main() -> None:
    total = int(sys.argv[1])
    begin = time.perf_counter()
    fill(total - Response.objects.count())
    filled = time.perf_counter() - begin
    client = Client()
    begin = time.perf_counter()
    first = client.get("/survey/csv/1/", HTTP_HOST="127.0.0.1")
    csv_s = time.perf_counter() - begin
    assert first.status_code == 200, first.status_code
    times = []
    for _ in range(5):
        begin = time.perf_counter()
        again = client.get("/survey/csv/1/", HTTP_HOST="127.0.0.1")
        times.append(time.perf_counter() - begin)
        assert again.status_code == 200
    print(json.dumps({"responses": total, "fill_s": filled, "csv_s": csv_s,
                      "csv_mib": len(first.content) / 2**20,
                      "results_ms": 1000 * statistics.median(times)}))  # fmt: skip


main()
