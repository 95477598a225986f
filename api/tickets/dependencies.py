"""How the ticket handlers get their service: built from the runtime on each request (a few
references, no I/O), so the domain needs no startup hook of its own."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.runtime import Runtime
from api.tickets.services import TicketService


def provide_tickets(state: State) -> TicketService:
    runtime: Runtime = state.runtime
    return TicketService(runtime.sessions, runtime.hub, runtime.graphs.supervision)


TICKET_DEPENDENCIES: dict[str, Provide] = {
    "principal": AUTH_DEPENDENCIES["principal"],
    "tickets": Provide(provide_tickets, sync_to_thread=False),
}
