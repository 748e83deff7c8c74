"""The builder's logo upload: an image checked by its content (questionnaire/images.py),
stored in the database (store/logos.py) and named in the draft's `branding.logo`; or the
logo removed. Respondents see it once the draft is published."""

from __future__ import annotations

from flask import abort, current_app, redirect, request

from surveyapp.questionnaire import checking, editing_brand
from surveyapp.questionnaire import editing_forms as ef
from surveyapp.questionnaire.images import ImageRefused, check_image
from surveyapp.store import logos
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin import builder_common as common


@bp.post("/questionnaires/<survey_id>/logo")
def builder_logo(survey_id: str):
    state = common.load(survey_id)
    doc, why = checking.document_of(state.text)
    if doc is None:
        abort(409, f"{why} Fix it in the YAML text editor first.")
    if common.posted_revision() != state.revision:
        return common.refused_page("settings.html", state, "revision", "", doc=doc)
    logo = ""
    if request.form.get("action") != "remove":
        upload = request.files.get("logo")
        limit = current_app.config["LOGO_MAX_BYTES"]
        data = upload.stream.read(limit + 1) if upload else b""
        try:
            image = check_image(data, limit)
        except ImageRefused as exc:
            return common.refused_page("settings.html", state, "logo", str(exc), doc=doc)
        logo = logos.save(get_db(), data, image.content_type, (image.width, image.height),
                          auth.actor())  # fmt: skip
    editing_brand.set_logo(doc, logo)
    if not common.save_document(state, doc):
        return common.refused_page("settings.html", state, "revision", "", doc=doc)
    return redirect(common.where_url(survey_id, ef.Where("settings", anchor="f-logo"), doc),
                    code=303)  # fmt: skip
