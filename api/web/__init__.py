"""The browser front ends (`web/`): serving the built files (`static.py`) and building them
when their sources changed (`build.py`, run by `make run`)."""
