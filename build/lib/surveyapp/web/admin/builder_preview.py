"""The preview of a draft: every page exactly as respondents will see it (the survey's
own page template and question partials), answers checked by the same rules, and
nothing stored: no response, no respondent draft, no counter, no throttle count."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from surveyapp.questionnaire.answers import check_page
from surveyapp.questionnaire.logic import evaluate_state
from surveyapp.questionnaire.model import Definition
from surveyapp.web.admin import bp
from surveyapp.web.admin import builder_common as common
from surveyapp.web.forms import build_page_form_class, show_errors
from surveyapp.web.survey.view import page_view

PREVIEW_KEY = "preview"


def _number(definition: Definition) -> int:
    text = request.args.get("page", "1")
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(definition.pages):
        return int(text)
    return 1


def _render(state: common.State, definition: Definition, number: int, form, status=200,
            finished=False, answers=None):  # fmt: skip
    """The page with the logic worked out from this page's answers (a preview keeps no
    answers from other pages)."""
    action = url_for("admin.builder_preview", survey_id=state.survey, page=number)
    view = page_view(definition, number, evaluate_state(definition, answers or {}), form)
    return render_template(
        "admin/builder/preview.html", definition=definition, page=definition.pages[number - 1],
        number=number, form=form, notice="", has_errors=status != 200, form_action=action,
        state=state, finished=finished, view=view,
    ), status  # fmt: skip


@bp.route("/questionnaires/<survey_id>/preview", methods=["GET", "POST"])
def builder_preview(survey_id: str):
    state = common.load(survey_id)
    definition = state.checked.definition
    if definition is None:
        return common.page("preview_blocked.html", state, 422)
    number = _number(definition)
    form_class = build_page_form_class(definition, number)
    if request.method == "GET":
        return _render(
            state, definition, number, form_class(formdata=None, submission_key=PREVIEW_KEY)
        )
    action = request.form.get("action", "next")
    if action == "back":
        return _go(survey_id, max(number - 1, 1))
    checked = check_page(definition, number, request.form.getlist, {})
    form = form_class()
    if checked.errors:
        show_errors(form, checked.errors)
        return _render(state, definition, number, form, 422, answers=checked.answers)
    if action == "submit" or number == len(definition.pages):
        return _render(state, definition, number, form, finished=True, answers=checked.answers)
    return _go(survey_id, number + 1)


def _go(survey_id: str, number: int):
    return redirect(url_for("admin.builder_preview", survey_id=survey_id, page=number), code=303)
