"""The renewal routes resolve their dependencies one at a time, never in a task group.

Litestar resolves the dependencies that depend on nothing else together, in an anyio task
group: two tasks on every click for `renewal` and `principal` (~70 us of CPU; issue 24, third
pass). Each renewal provider names `principal`, so every batch holds one dependency. A provider
that drops it would bring the task group back without any test failing; this one would.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute

from api.renewal.controllers import RenewalController


def test_every_renewal_route_resolves_its_dependencies_in_batches_of_one() -> None:
    app = Litestar(route_handlers=[RenewalController])
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(RenewalController.path):
            continue
        for handler in route.route_handlers:
            if handler.http_methods == {"OPTIONS"}:  # Litestar's own preflight answer
                continue
            model = handler.create_kwargs_model(route.path_parameters)
            sizes = [len(batch) for batch in model.dependency_batches]
            assert sizes and all(size == 1 for size in sizes), (route.path, sizes)
            checked += 1
    assert checked >= 15  # every step route, start, session, history, the form
