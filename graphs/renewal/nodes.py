"""One node per renewal step. Nodes are thin: ask (interrupt), call tools, route.

Each waiting node loops on `interrupt()` until the answer is acceptable: a refused answer (bad
input, not eligible, out of stock) becomes the `error` of the next payload at the same step, so
the graph never moves on a bad value. Infrastructure failures (`Unavailable`) fail the run
instead; the thread stays at the step and the same answer can be sent again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END
from langgraph.types import Command, interrupt

from core.errors import InvalidInput, NotFound, SwitchboardError, Unavailable
from graphs.renewal import steps as st
from graphs.renewal.deps import RenewalDeps
from graphs.renewal.state import RenewalState
from graphs.renewal.submission import submit_renewal
from graphs.renewal.summary import build_summary
from prompts import load_prompt

NOT_CUSTOMER_NOTICE = "此身分證字號目前不是本公司客戶。門市暫不提供新申辦服務，感謝您的詢問。"
DEVICE_TYPES = {
    "none": "不選裝置（單純續約）",
    "smartphone": "智慧型手機",
    "tablet": "平板",
    "wearable": "穿戴裝置",
}


class Refused(SwitchboardError):
    """An answer the step cannot accept; shown to the staff, the step keeps waiting."""

    status = 409


Accept = Callable[[Any], Awaitable[Command[str]]]


def _visited(state: RenewalState, step: st.Step) -> list[str]:
    return [*(s for s in state.get("visited", []) if s != step.value), step.value]


class RenewalNodes:
    def __init__(self, deps: RenewalDeps) -> None:
        self.deps = deps
        self.tools = deps.tools

    # --- the waiting pattern ---------------------------------------------------------------
    async def _wait(
        self, step: st.Step, state: RenewalState, show: dict[str, Any], accept: Accept
    ) -> Command[str]:
        """One interrupt per task. A refused answer re-enters this node as a new task with the
        refusal in state, instead of interrupting again in a loop: LangGraph replays a node's
        earlier resume values on every resume, so a loop would redo each earlier attempt's tool
        calls (measured: 86 ms of MCP CPU per answer after 300 refusals)."""
        visited = state.get("visited", [])
        refusal = state.get("refusal") or {}
        error = refusal.get("error") if refusal.get("step") == step.value else None
        value = interrupt(st.prompt(step, visited, show, error))
        try:
            answer = st.parse_answer(step, value, visited)
            if isinstance(answer, st.Back):
                command = self._back(answer, state)
            elif isinstance(answer, st.Abandon):
                command = await self._abandon(answer, state)
            else:
                command = await accept(answer)
        except Unavailable:
            raise
        except SwitchboardError as exc:
            error = {"code": exc.code, "message": exc.message, **exc.details}
            refused = {"step": step.value, "error": error}
            return Command(goto=step.value, update={"refusal": refused})
        if refusal:
            update = command.update if isinstance(command.update, dict) else {}
            return Command(goto=command.goto, update={**update, "refusal": None})
        return command

    def _back(self, answer: st.Back, state: RenewalState) -> Command[str]:
        visited = state.get("visited", [])
        kept = visited[: visited.index(answer.to.value)] if answer.to.value in visited else visited
        update: dict[str, Any] = dict.fromkeys(st.CLEARS[answer.to])
        update["visited"] = kept
        return Command(goto=answer.to.value, update=update)

    async def _abandon(self, answer: st.Abandon, state: RenewalState) -> Command[str]:
        await self.deps.records.abandoned(state["session_id"], answer.reason)
        return Command(goto=END, update={"outcome": "abandoned", "notice": "流程已放棄"})

    async def _advance(
        self, state: RenewalState, step: st.Step, goto: str, update: dict[str, Any]
    ) -> Command[str]:
        """Record progress and move on."""
        update["visited"] = _visited(state, step)
        selections = {
            k: update.get(k, state.get(k))
            for k in (
                "selected_phone",
                "renewal_type",
                "device_type",
                "selected_device",
                "selected_plan",
            )
        }
        customer = update.get("customer", state.get("customer"))
        await self.deps.records.progressed(state["session_id"], goto, selections, customer)
        return Command(goto=goto, update=update)

    # --- step 1 ------------------------------------------------------------------------------
    async def query_customer(self, state: RenewalState) -> Command[str]:
        async def accept(answer: st.QueryCustomerInput) -> Command[str]:
            try:
                customer = await self.tools.call("get_customer", id_number=answer.id_number)
            except NotFound:
                return Command(
                    goto=END, update={"outcome": "not_customer", "notice": NOT_CUSTOMER_NOTICE}
                )
            phones = await self.tools.call(
                "list_customer_phones", customer_id=customer["customer_id"]
            )
            return await self._advance(
                state,
                st.Step.QUERY_CUSTOMER,
                st.Step.SELECT_PHONE,
                {"customer": customer, "phones": phones},
            )

        return await self._wait(st.Step.QUERY_CUSTOMER, state, {}, accept)

    # --- steps 2-4 ---------------------------------------------------------------------------
    async def select_phone(self, state: RenewalState) -> Command[str]:
        async def accept(answer: st.SelectPhoneInput) -> Command[str]:
            numbers = {p["phone_number"] for p in state.get("phones", [])}
            if answer.phone_number not in numbers:
                raise InvalidInput(
                    "此門號不屬於該客戶 / not one of the customer's lines", field="phone_number"
                )
            single, device, line = await asyncio.gather(
                self.tools.call(
                    "check_renewal_eligibility",
                    phone_number=answer.phone_number,
                    renewal_type="single",
                ),
                self.tools.call(
                    "check_renewal_eligibility",
                    phone_number=answer.phone_number,
                    renewal_type="with_device",
                ),
                self.tools.call("get_phone_details", phone_number=answer.phone_number),
            )
            eligibility = {
                "phone_number": answer.phone_number,
                "is_eligible": single["is_eligible"],
                "single": single,
                "with_device": device,
            }
            if not single["is_eligible"]:
                reasons = "；".join(r["message"] for r in single["reasons"])
                raise Refused(
                    f"此門號目前無法續約：{reasons}", code="NOT_ELIGIBLE", eligibility=eligibility
                )
            return await self._advance(
                state,
                st.Step.SELECT_PHONE,
                st.Step.SELECT_DEVICE_TYPE,
                {"selected_phone": answer.phone_number, "line": line, "eligibility": eligibility},
            )

        show = {"customer": state.get("customer"), "phones": state.get("phones", [])}
        return await self._wait(st.Step.SELECT_PHONE, state, show, accept)

    # --- step 5 ------------------------------------------------------------------------------
    async def select_device_type(self, state: RenewalState) -> Command[str]:
        eligibility = state.get("eligibility") or {}
        with_device = eligibility.get("with_device") or {}

        async def accept(answer: st.SelectDeviceTypeInput) -> Command[str]:
            if answer.device_type == "none":
                return await self._advance(
                    state,
                    st.Step.SELECT_DEVICE_TYPE,
                    st.Step.LIST_PLANS,
                    {"renewal_type": "single", "device_type": "none"},
                )
            if not with_device.get("is_eligible"):
                remedy = "；".join(r["remedy"] for r in with_device.get("reasons", []))
                raise Refused(
                    f"此門號不符合搭配裝置續約的條件：{remedy}", code="DEVICE_NOT_ALLOWED"
                )
            return await self._advance(
                state,
                st.Step.SELECT_DEVICE_TYPE,
                st.Step.SELECT_DEVICE_OS,
                {"renewal_type": "with_device", "device_type": answer.device_type},
            )

        show = {
            "options": [{"value": k, "label": v} for k, v in DEVICE_TYPES.items()],
            "device_allowed": bool(with_device.get("is_eligible")),
            "eligibility": eligibility,
            "side_chat_open": True,
        }
        return await self._wait(st.Step.SELECT_DEVICE_TYPE, state, show, accept)

    # --- step 6 ------------------------------------------------------------------------------
    async def select_device_os(self, state: RenewalState) -> Command[str]:
        async def accept(answer: st.SelectDeviceOsInput) -> Command[str]:
            options = await self._device_cards(state, answer.os_type)
            if not options:
                raise Refused("此作業系統目前沒有可選的裝置", code="NO_DEVICES")
            return await self._advance(
                state,
                st.Step.SELECT_DEVICE_OS,
                st.Step.SELECT_DEVICE,
                {"device_os": answer.os_type, "device_options": options},
            )

        show = {
            "options": [{"value": "android", "label": "Android"}, {"value": "ios", "label": "iOS"}]
        }
        return await self._wait(st.Step.SELECT_DEVICE_OS, state, show, accept)

    async def _device_cards(self, state: RenewalState, os_type: str) -> list[dict[str, Any]]:
        """One POS call: each pick carries its colours' free units in this store."""
        usage = (state.get("line") or {}).get("usage_info") or {}
        picks = await self.tools.call(
            "get_recommended_devices",
            os_type=os_type,
            device_type=state.get("device_type"),
            store_id=state["store_id"],
            customer_usage_pattern={"data_gb_per_month": usage.get("data_used_gb")},
        )
        return [
            {
                "device_id": pick["device_id"],
                "brand": pick["brand"],
                "model": pick["model"],
                "storage": f"{pick['storage_gb']}GB",
                "retail_price": pick["retail_price"],
                "contract_prices": {str(k): v for k, v in pick["contract_prices"].items()},
                "is_recommended": pick["is_recommended"] or pick["recommendation_score"] >= 0.75,
                "recommendation_reason": pick["recommendation_reason"],
                "colors": [
                    {"color": c, "available": n} for c, n in pick["available_by_color"].items()
                ],
                "in_stock": pick["is_in_stock"],
            }
            for pick in picks
        ]

    # --- step 7 ------------------------------------------------------------------------------
    async def select_device(self, state: RenewalState) -> Command[str]:
        options = {d["device_id"]: d for d in state.get("device_options", [])}

        async def accept(answer: st.SelectDeviceInput) -> Command[str]:
            card = options.get(answer.device_id)
            if card is None:
                raise InvalidInput("請從列出的裝置中選擇 / pick a listed device", field="device_id")
            colours = {c["color"]: c["available"] for c in card["colors"]}
            if answer.color not in colours:
                raise InvalidInput(f"{card['model']} 沒有這個顏色", field="color")
            stock = await self.tools.call(
                "query_device_stock", store_id=state["store_id"], device_model=card["model"]
            )
            left = sum(
                r["available_quantity"]
                for r in stock
                if r["device_id"] == answer.device_id and r["color"] == answer.color
            )
            if left < 1:
                raise Refused(
                    f"{card['model']} {answer.color} 本門市已無庫存，請選其他顏色或機種",
                    code="OUT_OF_STOCK",
                )
            device = {**card, "color": answer.color, "available": left}
            device.pop("colors", None)
            return await self._advance(
                state, st.Step.SELECT_DEVICE, st.Step.LIST_PLANS, {"selected_device": device}
            )

        show = {"devices": list(options.values())}
        return await self._wait(st.Step.SELECT_DEVICE, state, show, accept)

    # --- step 8 ------------------------------------------------------------------------------
    async def list_plans(self, state: RenewalState) -> Command[str]:
        async def accept(answer: st.ListPlansInput) -> Command[str]:
            from graphs.renewal.plans import find_qualified_plans

            found = await find_qualified_plans(self.tools, state, answer.query, get_stream_writer())
            return await self._advance(state, st.Step.LIST_PLANS, st.Step.SELECT_PLAN, found)

        show = {"renewal_type": state.get("renewal_type"), "device": state.get("selected_device")}
        return await self._wait(st.Step.LIST_PLANS, state, show, accept)

    async def select_plan(self, state: RenewalState) -> Command[str]:
        qualified = {p["plan_id"]: p for p in state.get("qualified_plans", [])}

        async def accept(answer: st.SelectPlanInput) -> Command[str]:
            wanted = answer.compare or [answer.plan_id or ""]
            unknown = [pid for pid in wanted if pid not in qualified]
            if unknown:
                raise InvalidInput(
                    f"不在可選方案中 / not a qualified plan: {', '.join(unknown)}",
                    field="compare" if answer.compare else "plan_id",
                )
            if answer.compare:
                return Command(
                    goto="compare_plans", update={"comparison": {"plan_ids": answer.compare}}
                )
            return await self._advance(
                state, st.Step.SELECT_PLAN, st.Step.CONFIRM, {"selected_plan": qualified[wanted[0]]}
            )

        show = {
            "plans": list(qualified.values()),
            "checks": state.get("plan_checks", []),
            "comparison": state.get("comparison"),
        }
        return await self._wait(st.Step.SELECT_PLAN, state, show, accept)

    # --- step 9 ------------------------------------------------------------------------------
    async def compare_plans(self, state: RenewalState) -> dict[str, Any]:
        plan_ids = (state.get("comparison") or {}).get("plan_ids", [])
        usage_info = (state.get("line") or {}).get("usage_info") or {}
        usage = {
            "data_gb_per_month": usage_info.get("data_used_gb"),
            "voice_minutes_per_month": usage_info.get("voice_used_minutes"),
        }
        result = await self.tools.call("compare_plans", plan_ids=plan_ids, customer_usage=usage)
        # The recommendation is computed from the table (costs.recommend) and handed over as
        # its own block: the model restates it, it does not pick again.
        table = {k: v for k, v in result.items() if k != "recommendation"}
        messages = load_prompt("comparison_narrative").format_messages(
            comparison_json=json.dumps(table, ensure_ascii=False),
            customer_usage_json=json.dumps(usage, ensure_ascii=False),
            recommendation_json=json.dumps(result["recommendation"], ensure_ascii=False),
        )
        model = self.deps.chat_model("comparison", dict(state))
        reply = await model.ainvoke(messages)
        narrative = reply.content if isinstance(reply, AIMessage) else str(reply)
        return {
            "comparison": {"plan_ids": plan_ids, **result, "narrative": narrative},
            "visited": _visited(state, st.Step.SELECT_PLAN),
        }

    # --- step 10 -----------------------------------------------------------------------------
    async def confirm(self, state: RenewalState) -> Command[str]:
        summary = build_summary(dict(state))

        async def accept(answer: st.ConfirmInput) -> Command[str]:
            return await self._advance(state, st.Step.CONFIRM, st.Step.SUBMIT, {"summary": summary})

        return await self._wait(st.Step.CONFIRM, state, {"summary": summary}, accept)

    async def submit(self, state: RenewalState) -> Command[str]:
        summary = state.get("summary") or build_summary(dict(state))

        async def accept(answer: st.SubmitInput) -> Command[str]:
            written = await submit_renewal(self.tools, state)
            reservation, renewal = written["reservation"], written["line_renewal"]
            selections = {**summary, "reservation": reservation, "line_renewal": renewal}
            record_id = await self.deps.records.completed(state["session_id"], selections)
            submission = {
                "reservation": reservation,
                "line_renewal": renewal,
                "record_id": record_id,
            }
            return Command(
                goto=END,
                update={
                    "submission": submission,
                    "outcome": "completed",
                    "visited": _visited(state, st.Step.SUBMIT),
                    "notice": "續約申辦完成" + ("，裝置已預留" if reservation else ""),
                },
            )

        return await self._wait(st.Step.SUBMIT, state, {"summary": summary}, accept)
