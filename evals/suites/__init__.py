"""One module per suite; each defines a `Suite` subclass named in `evals.runner.registry`."""
