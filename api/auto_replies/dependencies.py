"""How the auto-reply-rule handlers get their service: one per process, built on first use."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.auto_replies.services import AutoReplyRuleService
from api.runtime import Runtime


def provide_rules(state: State) -> AutoReplyRuleService:
    service: AutoReplyRuleService | None = state.get("auto_reply_rule_service")
    if service is None:
        runtime: Runtime = state.runtime
        service = AutoReplyRuleService(
            runtime.sessions, runtime.redis, runtime.settings.redis_key_prefix
        )
        state.auto_reply_rule_service = service
    return service


AUTO_REPLY_DEPENDENCIES: dict[str, Provide] = {
    "principal": AUTH_DEPENDENCIES["principal"],
    "rules": Provide(provide_rules, sync_to_thread=False),
}
