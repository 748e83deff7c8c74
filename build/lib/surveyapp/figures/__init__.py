"""Figures computed from stored responses: tallies, statistics, trends and charts.

No Flask; every read goes through surveyapp.store.
"""
