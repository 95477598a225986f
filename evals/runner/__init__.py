"""The eval runner: CLI, suite registry, cache, gate and reports (`python -m evals`)."""
