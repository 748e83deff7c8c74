"""`python -m surveyapp <command>`: the same commands as the `surveyapp` script."""

from surveyapp.cli import main

main()
