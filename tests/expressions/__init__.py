"""The shared expression corpus: cases, their generator and the runner both evaluators share."""
