"""Questionnaires: the model, the YAML loader, the question-type registry and answer checks.

Pure Python: no Flask, no SQL.
"""
