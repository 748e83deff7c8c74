"""Who has responded to an invitation-only questionnaire: counts and the invitation list.

For an anonymous edition no time of use is kept and no response is linked."""

from __future__ import annotations

from flask import current_app, render_template

from surveyapp.store import invitations
from surveyapp.web import catalog, get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import editions_or_404, page_number


@bp.get("/surveys/<survey_id>/invitations")
@auth.login_required(role="admin")
def invitation_list(survey_id: str):
    editions = editions_or_404(survey_id)
    page, size = page_number(), current_app.config["RESPONSES_PER_PAGE"]
    db = get_db()
    rows = invitations.listing(db, survey_id, size + 1, (page - 1) * size)
    return render_template(
        "admin/invitations.html",
        definition=catalog().latest(survey_id),
        editions=editions,
        counts=invitations.summary(db, survey_id),
        rows=rows[:size],
        page=page,
        more=len(rows) > size,
    )
