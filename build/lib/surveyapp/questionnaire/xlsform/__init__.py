"""XLSForm (the ODK / KoboToolbox spreadsheet format): import as a YAML definition, and
export any definition. Pure: no Flask, no SQL."""

from surveyapp.questionnaire.xlsform.read import (
    XLSFormError,
    XLSFormImport,
    read_xlsform,
    xlsform_to_yaml,
)
from surveyapp.questionnaire.xlsform.write import ExportError, definition_to_xlsform

__all__ = [
    "ExportError",
    "XLSFormError",
    "XLSFormImport",
    "definition_to_xlsform",
    "read_xlsform",
    "xlsform_to_yaml",
]
