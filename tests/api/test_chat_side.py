"""`POST /api/renewal-workflow/chat/stream`: the staff member's AI side chat over real HTTP."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

from tests.api.conftest import HttpJourney, bearer, parse_sse

pytestmark = pytest.mark.usefixtures("fresh_backoffice")


def ask(http: httpx.Client, token: str, session_id: str, message: str) -> httpx.Response:
    return http.post(
        "/api/renewal-workflow/chat/stream",
        headers=bearer(token),
        json={"session_id": session_id, "message": message},
    )


def test_side_chat_streams_tools_tokens_and_the_answer(
    http: httpx.Client, tokens: dict[str, str]
) -> None:
    j = HttpJourney(http, tokens["sales"])
    j.start()
    closed = ask(http, tokens["sales"], j.session_id, "有什麼方案？")
    assert closed.status_code == 409 and closed.json()["code"] == "SIDE_CHAT_NOT_OPEN"
    j.to_device_type()
    response = ask(http, tokens["sales"], j.session_id, "有哪些 5G 吃到飽方案？")
    assert response.status_code == 200, response.text
    sse = parse_sse(response.text)
    names = [e["event"] for e in sse.events]
    assert names[-2:] == ["answer", "done"] and "message" in names
    assert "tool" in names and names.index("tool") < names.index("answer")
    tool = sse.named("tool")[0]
    assert tool["name"] and isinstance(tool["args"], dict)
    answer = sse.named("answer")[0]
    streamed = "".join(m["content"] for m in sse.named("message"))
    assert answer["content"] and streamed.endswith(answer["content"][-10:])
    assert tool["name"] in answer["tool_calls"]
    assert all(e["data"]["type"] == e["event"] for e in sse.events)


def test_side_chat_is_for_the_session_owner_one_question_at_a_time(
    http: httpx.Client, tokens: dict[str, str]
) -> None:
    j = HttpJourney(http, tokens["sales"])
    j.start()
    j.to_device_type()
    other = ask(http, tokens["sales_2"], j.session_id, "偷看一下")
    assert other.status_code == 403
    assert ask(http, tokens["agent"], j.session_id, "?").status_code == 403
    assert ask(http, tokens["manager"], j.session_id, "主管看看").status_code == 200
    unknown = ask(http, tokens["sales"], "renewal_2_0123456789ab", "?")
    assert unknown.status_code == 404
    empty = ask(http, tokens["sales"], j.session_id, "   ")
    assert empty.status_code in (400, 422)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda q: ask(http, tokens["sales"], j.session_id, q),
                ["比較 P011 跟 P034", "P006 是什麼", "手機庫存", "升級費用"],
            )
        )
    statuses = sorted(a.status_code for a in answers)
    assert 200 in statuses and set(statuses) <= {200, 409}
    assert all(a.json()["code"] == "RUN_IN_PROGRESS" for a in answers if a.status_code == 409)
