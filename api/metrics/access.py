"""Who may read /metrics: a pure rule, so the table of cases is tested without a server.

A scraper is let in when its address is in the allowed networks (`METRICS_ALLOWED_NETWORKS`,
loopback by default outside production) or when it sends `Authorization: Bearer <METRICS_TOKEN>`.
The address is the one uvicorn reports: behind a reverse proxy on the same host, the proxy must
send `X-Forwarded-For` (uvicorn trusts it from 127.0.0.1) or every client looks local; that is
why production refuses to start without a token or an explicit network list.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    status: int = 200
    code: str = ""
    message: str = ""


ALLOWED = Verdict(True)


@lru_cache(maxsize=8)
def parse_networks(networks: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def _in_networks(client: str | None, networks: Sequence[Network]) -> bool:
    if not client:
        return False
    try:
        address = ipaddress.ip_address(client)
    except ValueError:  # a unix socket or a test client's made-up host
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def _bearer(authorization: str | None) -> str | None:
    scheme, _, value = (authorization or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def verdict(
    client: str | None,
    authorization: str | None,
    *,
    token: str | None,
    networks: tuple[str, ...],
) -> Verdict:
    """Whether a scrape from `client` with this `Authorization` header is answered."""
    offered = _bearer(authorization)
    if token and offered is not None:
        if hmac.compare_digest(offered.encode(), token.encode()):
            return ALLOWED
        return Verdict(False, 401, "METRICS_TOKEN_INVALID", "the metrics token is not valid")
    if _in_networks(client, parse_networks(networks)):
        return ALLOWED
    if token:
        return Verdict(False, 401, "METRICS_TOKEN_REQUIRED", "/metrics needs the metrics token")
    return Verdict(False, 403, "METRICS_FORBIDDEN", "/metrics is not served to this address")
