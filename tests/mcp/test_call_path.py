"""The servers' short call path (`mcp_servers/server.py` `BackOfficeMCP`, `mcp_servers/stdio.py`)
answers as FastMCP's full path does: the same tool for a name, timing and coded errors with or
without the middleware chain, dereferenced listings, and a stdio pipe that keeps concurrent
answers apart, survives a line that is not JSON and ends with its stdin."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from fastmcp import Client, FastMCP
from fastmcp.server.middleware import Middleware, MiddlewareContext
from pydantic import BaseModel

from core.errors import NotFound
from core.settings import ROOT, Settings
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.server import BackOfficeMCP, build_server, tools_of
from tools.mcp import McpToolbox, server_env


class Usage(BaseModel):
    data_gb: float
    voice_min: int


class Bill(BaseModel):
    usage: Usage
    fee: int


def small_server() -> BackOfficeMCP:
    server = build_server("t", "a test server")
    tool = tools_of(server, read_only=True)

    @tool
    async def bill(usage: Usage, fee: int) -> Bill:
        """A bill from usage (a nested model: its schema has `$defs`)."""
        if fee < 0:
            raise NotFound("no such fee")
        return Bill(usage=usage, fee=fee)

    return server


ARGS = {"usage": {"data_gb": 1.5, "voice_min": 30}, "fee": 499}


async def test_each_servers_tool_lookup_is_fastmcps_answer_reused() -> None:
    from mcp_servers.crm.server import mcp as crm
    from mcp_servers.pos.server import mcp as pos
    from mcp_servers.promotion.server import mcp as promotion

    for server in (crm, pos, promotion):
        assert isinstance(server, BackOfficeMCP)
        for listed in await server.list_tools():
            full = await FastMCP.get_tool(server, listed.name)
            assert await server.get_tool(listed.name) is full
            assert await server.get_tool(listed.name) is full  # from `_resolved` now
            assert server._resolved[listed.name] is full


async def test_a_removed_or_replaced_tool_is_looked_up_afresh() -> None:
    server = small_server()
    first = await server.get_tool("bill")
    assert first is not None and await server.get_tool("bill") is first
    server.local_provider.remove_tool("bill")
    assert await server.get_tool("bill") is None

    @tools_of(server)
    async def bill(fee: int) -> int:
        """Another tool under the same name."""
        return fee

    second = await server.get_tool("bill")
    assert second is not None and second is not first
    assert second.annotations is None  # not the read-only one


class Counting(Middleware):
    def __init__(self) -> None:
        self.calls = 0

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: Any) -> Any:
        self.calls += 1
        return await call_next(context)


@pytest.mark.parametrize("chain", ["ours", "with another middleware"])
async def test_calls_are_timed_and_errors_coded_with_or_without_the_chain(chain: str) -> None:
    server = small_server()
    counting = Counting()
    if chain != "ours":
        server.add_middleware(counting)
    async with Client(server) as client:
        result = await client.call_tool("bill", ARGS)
        assert result.structured_content == {"usage": ARGS["usage"], "fee": 499}
        assert isinstance(result.meta, dict) and result.meta["server_ms"] >= 0
        for args, code in (({**ARGS, "fee": "x"}, "INVALID_INPUT"), ({**ARGS, "fee": -1},
                                                                     "NOT_FOUND")):  # fmt: skip
            failed = await client.call_tool("bill", args, raise_on_error=False)
            assert failed.is_error and not failed.meta
            payload = json.loads(failed.content[0].text)  # type: ignore[union-attr]
            assert payload["success"] is False and payload["error_code"] == code
    assert counting.calls == (0 if chain == "ours" else 3)


async def test_listed_schemas_are_dereferenced_as_fastmcp_lists_them() -> None:
    server = small_server()
    plain = FastMCP("plain")  # FastMCP's defaults: `DereferenceRefsMiddleware` last
    plain.add_tool(await server.get_tool("bill"))  # type: ignore[arg-type]
    async with Client(server) as ours, Client(plain) as theirs:
        (listed,) = await ours.list_tools()
        (expected,) = await theirs.list_tools()
    text = json.dumps([listed.inputSchema, listed.outputSchema])
    assert "$ref" not in text and "$defs" not in text
    assert listed.model_dump() == expected.model_dump()


async def test_concurrent_calls_over_stdio_each_get_their_answer(toolbox: McpToolbox) -> None:
    eligible, student = GOLDEN.eligible, GOLDEN.student
    calls = [("get_phone_details", {"phone_number": c.phone}) for c in (eligible, student)] * 10
    calls += [("get_customer", {"id_number": GOLDEN.not_customer})] * 4
    results = await asyncio.gather(
        *(toolbox.call(tool, **args) for tool, args in calls), return_exceptions=True
    )
    for (tool, args), result in zip(calls, results, strict=True):
        if tool == "get_customer":
            assert isinstance(result, NotFound)
        else:
            assert isinstance(result, dict) and result["phone_number"] == args["phone_number"]


def _rpc(method: str, id_: int | None = None, **params: Any) -> bytes:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
    if id_ is not None:
        message["id"] = id_
    return json.dumps(message).encode() + b"\n"


def test_a_stdio_server_answers_past_a_line_that_is_not_json_and_ends_with_its_stdin(
    test_settings: Settings,
) -> None:
    hello = {"protocolVersion": "2025-06-18", "capabilities": {},
             "clientInfo": {"name": "t", "version": "0"}}  # fmt: skip
    call = {"name": "get_customer", "arguments": {"id_number": GOLDEN.eligible.national_id}}
    server = subprocess.Popen(
        [sys.executable, "-m", "mcp_servers.crm"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env={**server_env(test_settings), "LOG_LEVEL": "INFO"},
        cwd=ROOT,
    )  # fmt: skip
    assert server.stdin is not None and server.stdout is not None
    try:
        for line in (_rpc("initialize", 1, **hello), _rpc("notifications/initialized"),
                     b"this is not json\n", _rpc("tools/call", 2, **call)):  # fmt: skip
            server.stdin.write(line)
        server.stdin.flush()
        answers: dict[Any, Any] = {}
        while 2 not in answers:  # the bad line gets an error notification (no id), as in the SDK
            message = json.loads(server.stdout.readline())
            answers[message.get("id")] = message
        server.stdin.close()  # end of stdin: the server ends
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
    assert answers[1]["result"]["serverInfo"]["name"] == "crm"
    answer = answers[2]["result"]
    assert answer["structuredContent"]["customer_id"] == GOLDEN.eligible.customer_id
    assert answer["_meta"]["server_ms"] >= 0
    assert server.stderr is not None
    logged = server.stderr.read().decode()  # the tool's `customer_lookup` line, masked
    assert "customer_lookup" in logged and GOLDEN.eligible.national_id not in logged


def test_an_http_server_answers_a_call_in_the_posts_json_body(http_urls: dict[str, str]) -> None:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    hello = {"protocolVersion": "2025-06-18", "capabilities": {},
             "clientInfo": {"name": "t", "version": "0"}}  # fmt: skip
    with httpx.Client(timeout=30) as http:
        started = http.post(http_urls["crm"], content=_rpc("initialize", 1, **hello),
                            headers=headers)  # fmt: skip
        headers["mcp-session-id"] = started.headers["mcp-session-id"]
        http.post(http_urls["crm"], content=_rpc("notifications/initialized"), headers=headers)
        call = {"name": "get_phone_details", "arguments": {"phone_number": GOLDEN.eligible.phone}}
        answered = http.post(http_urls["crm"], content=_rpc("tools/call", 2, **call),
                             headers=headers)  # fmt: skip
        http.delete(http_urls["crm"], headers=headers)
    assert answered.headers["content-type"].startswith("application/json")
    result = answered.json()["result"]
    assert result["structuredContent"]["phone_number"] == GOLDEN.eligible.phone
    assert result["_meta"]["server_ms"] >= 0
