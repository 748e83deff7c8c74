"""Every schema migration, registered in the order sqlite-utils applies them
(`surveyapp.store.schema` runs and checks them). A new table or column is a new migration
at the end of the newest module here (or a new module imported last)."""

from sqlite_utils.migrations import Migrations

migrations = Migrations("surveyapp")

# Registered in import order, which is the order they are applied.
# isort: off
from surveyapp.store.migrations import tables  # noqa: E402, F401
from surveyapp.store.migrations import hardening  # noqa: E402, F401
from surveyapp.store.migrations import versions  # noqa: E402, F401
from surveyapp.store.migrations import logic  # noqa: E402, F401
from surveyapp.store.migrations import integrations  # noqa: E402, F401
from surveyapp.store.migrations import brand  # noqa: E402, F401
from surveyapp.store.migrations import i18nweb  # noqa: E402, F401
from surveyapp.store.migrations import results  # noqa: E402, F401
from surveyapp.store.migrations import resume  # noqa: E402, F401
from surveyapp.store.migrations import responses  # noqa: E402, F401
from surveyapp.store.migrations import adminperf  # noqa: E402, F401
# isort: on
