"""The API's own description: the OpenAPI 3.1 document generated from the registered
operations, and a reference page that static/api-docs.js renders from it."""

from __future__ import annotations

from flask import Response, current_app, json, render_template

from surveyapp.web.api.spec import Reply, document, operation

TAG = "description"


@operation(
    "/openapi.json",
    summary="This API's OpenAPI 3.1 document",
    scope=None,
    mirrors=None,
    tag=TAG,
    replies={200: Reply("The OpenAPI document", {"type": "object"})},
)
def openapi():
    found = current_app.extensions.get("openapi")
    if found is None:
        found = current_app.extensions["openapi"] = json.dumps(document(), sort_keys=False)
    return Response(found, mimetype="application/json")


@operation(
    "/docs",
    summary="This API's reference, as a page",
    scope=None,
    mirrors=None,
    tag=TAG,
    replies={200: Reply("The reference page", {"type": "string"}, "text/html")},
)
def reference():
    return render_template("api/docs.html")
