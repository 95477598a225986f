"""The servers' own stdio (`mcp_servers/stdio.py`): asyncio pipes instead of a worker thread per
message, with room for long lines, and FastMCP's stdio when stdin or stdout is not a pipe."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from core.errors import InvalidInput
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.stdio import _is_pipe
from tools.mcp import McpToolbox


async def test_a_request_line_over_64_kib_is_answered_and_the_server_carries_on(
    toolbox: McpToolbox,
) -> None:
    # asyncio's readline stops at 64 KiB by default; the server would lose its stdin there
    with pytest.raises(InvalidInput, match="national ID"):
        await toolbox.call("get_customer", id_number="A" * 200_000)
    customer = await toolbox.call("get_customer", id_number=GOLDEN.eligible.national_id)
    assert customer["customer_id"] == GOLDEN.eligible.customer_id


def test_only_pipes_and_sockets_get_the_asyncio_streams(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    left, right = socket.socketpair()
    try:
        with os.fdopen(read_end) as pipe, (tmp_path / "file").open("w") as file:
            assert _is_pipe(pipe) and _is_pipe(left)
            assert not _is_pipe(file)  # a regular file: FastMCP's own stdio serves it
    finally:
        os.close(write_end)
        left.close()
        right.close()
