"""Responses in and out as files: CSV, JSON Lines and XLSX exports, the codebook, imports.

No Flask; every read and write goes through surveyapp.store.
"""
