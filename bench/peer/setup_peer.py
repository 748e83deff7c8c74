"""Create the peer's schema and the like-for-like survey; print the survey id.

13 questions on one page: 10 radio items on the commonness scale, company size,
region (radio) and an optional comment; anonymous answers allowed.
"""

import django
from django.core.management import call_command

django.setup()

from survey.models import Question, Survey  # noqa: E402

ITEMS = [
    "Clients don't communicate with us effectively",
    "Clients don't build in sufficient time for the project (unrealistic timeframes)",
    "Clients want to contain cost by doing limited development runs, but still expect "
    "successful full-scale manufacturing",
    "Clients don't recognise the variability in process development",
    "Clients don't plan their tech transfer process",
    "Clients don't appreciate the differences between small-scale and full-scale manufacturing",
    "Clients expect us to resolve their most difficult problems",
    "Clients don't understand their role in regulatory submissions",
    "Clients hand off a project without planning for ongoing interactions",
    "Clients want us to use cell lines or processes that are not suitable for GMP manufacturing",
]
COMMONNESS = "Very common problem,Somewhat common problem,Rare problem,Not a problem"

call_command("migrate", verbosity=0)
survey = Survey.objects.create(
    name="Working with biopharmaceutical clients (benchmark)",
    description="Like-for-like benchmark questionnaire.",
    need_logged_user=False,
    editable_answers=True,
    display_method=Survey.ALL_IN_ONE_PAGE,
)
questions = [(text, Question.RADIO, COMMONNESS, True) for text in ITEMS] + [
    ("How many employees does your organisation have?", Question.RADIO,
     "Fewer than 50 employees,50 to 499 employees,500 or more employees", True),
    ("Where is your organisation based?", Question.RADIO, "North America,Europe,Asia,Other", True),
    ("Comments on the client-CMO relationship", Question.TEXT, None, False),
]  # fmt: skip
for order, (text, qtype, choices, required) in enumerate(questions, 1):
    Question.objects.create(
        survey=survey, text=text, order=order, type=qtype, choices=choices, required=required
    )
print(survey.id)
