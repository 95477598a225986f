"""Escalation policy configuration: what admins may change without a deploy.

`PolicyRules` is a frozen pydantic model with sensible defaults; load an admin's JSON with
`PolicyRules.model_validate(data)` / `PolicyRules.from_json(text)`. Words may be written in
Traditional or Simplified Chinese (they are folded before matching), English is matched on word
boundaries with plural/tense endings (agent → agents, refund → refunded).
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from graphs.supervision.negation import NegationRules

Reason = Literal["user_request", "keyword", "ai_failure", "sentiment", "vip"]
Severity = Literal["low", "medium", "high", "critical"]

# Rules are evaluated in this order; the first that fires names the escalation reason.
REASONS: Final[tuple[Reason, ...]] = ("user_request", "keyword", "ai_failure", "sentiment", "vip")
SEVERITIES: Final[tuple[Severity, ...]] = ("low", "medium", "high", "critical")


def raise_severity(severity: Severity, steps: int = 1) -> Severity:
    """One (or more) levels up, capped at critical."""
    index = min(SEVERITIES.index(severity) + steps, len(SEVERITIES) - 1)
    return SEVERITIES[index]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KeywordGroup(_Frozen):
    """Keywords that escalate with one severity.

    `soft` groups are mentions that are often harmless (客服, 退款 …): they are skipped when
    the turn is clearly positive and asks for nothing ("客服態度很好謝謝", "退款流程我已經知道了").
    """

    name: str
    severity: Severity
    terms: tuple[str, ...]
    soft: bool = False


class VipRules(_Frozen):
    """The lower bar for VIP customers (reason `vip`), checked after every other rule.

    A VIP escalates on the first AI failure, on mild negativity, or on a churn signal (解約, 攜碼,
    switch carrier …), none of which escalates an ordinary customer. Decisions for VIPs under other
    reasons get their severity raised one level when `raise_other_severities` is on.
    """

    enabled: bool = True
    ai_fail_threshold: int = Field(default=1, ge=1)
    sentiment_threshold: float = Field(default=-0.3, ge=-1, le=1)
    keywords: tuple[str, ...] = (
        "解約", "取消合約", "取消門號", "攜碼", "轉台", "換電信", "換別家", "不續約", "停用門號",
        "退租", "攜號轉網", "轉網", "銷戶", "註銷門號", "換運營商", "cancel my contract",
        "cancel my plan", "cancel my subscription", "switch carrier", "switching carrier",
        "another carrier", "switch provider", "port my number", "port out",
        "terminate my contract",
    )  # fmt: skip
    severity: Severity = "high"
    raise_other_severities: bool = True


DEFAULT_REQUEST_PHRASES: Final[tuple[str, ...]] = (
    "轉人工", "轉真人", "找真人", "找人工", "我要人工客服", "人工服務", "真人客服", "人工客服",
    "找客服", "真人服務", "真人回覆", "真人回答", "接真人", "換人工", "換真人", "叫客服",
    "專人服務", "專人處理", "找專人", "找主管", "找經理", "轉接客服", "轉客服", "聯絡客服",
    "聯繫客服", "聯繫人工", "talk to a human", "speak to an agent", "real person", "human agent",
    "live agent", "live person", "live chat agent", "customer service representative",
    "human being please", "transfer me",
)  # fmt: skip

# Regexes over folded text (Simplified, lower case), for phrasings a literal list cannot cover.
DEFAULT_REQUEST_PATTERNS: Final[tuple[str, ...]] = (
    r"(?:转|找|接|换|叫|要|请|让|联系|联络|联繫|呼叫|转接)(?:一下|一个|一位|个|位|下)?"
    r"(?:你们的?|贵公司的?)?(?:人工|真人|客服|专人|主管|经理)",
    r"(?:有没有|有无|没有)(?:人工|真人|客服|专人)",
    r"(?:跟|和|与|同)(?:你们的?|贵公司的?)?(?:人工|真人|客服|专人|主管|经理)"
    r"(?:谈|说|讲|聊|沟通|联系|对话)",
    r"(?<![a-z])(?:talk|speak|chat|connect|transfer|put|get|give|pass)\s+(?:me\s+)?"
    r"(?:(?:to|with|through to|through)\s+)?(?:(?:a|an|the|your|some)\s+)?"
    r"(?:(?:real|live|actual|human)\s+)?"
    r"(?:human|person|agent|representative|rep|operator|supervisor|manager|staff member"
    r"|customer service|someone|somebody|people)s?(?![a-z])",
    r"(?<![a-z])(?:want|need|like|request|prefer)\s+(?:(?:a|an|the|some)\s+)?"
    r"(?:(?:real|live|actual)\s+)?(?:human|person|agent|representative)s?(?![a-z])",
    r"(?<![a-z])(?:is there|are there|do you have|have you got)\s+(?:(?:a|an|any)\s+)?"
    r"(?:(?:real|live|actual)\s+)?(?:human|person|agent|people)s?(?![a-z])",
    r"(?<![a-z])(?:human|agent|person|representative)\s*(?:please|pls|plz)(?![a-z])",
    r"(?<![a-z])(?:can|could|may|will)\s+(?:a|an|some)\s+(?:(?:real|live|actual)\s+)?"
    r"(?:human|person|agent|representative)s?(?![a-z])",
)

LEGAL_TERMS: Final[tuple[str, ...]] = (
    "律師", "提告", "告你", "告死", "法院", "訴訟", "法律途徑", "法律行動", "消保", "消基會",
    "消費者保護", "通傳會", "ncc", "公平會", "工信部", "12315", "消協", "lawyer", "attorney",
    "sue", "suing", "lawsuit", "legal action", "small claims", "ombudsman", "regulator", "fcc",
    "take you to court",
)  # fmt: skip
COMPLAINT_TERMS: Final[tuple[str, ...]] = (
    "投訴", "客訴", "申訴", "抗議", "檢舉", "舉報", "complaint", "complain", "escalate",
    "report you",
)  # fmt: skip
REFUND_TERMS: Final[tuple[str, ...]] = (
    "退款", "退費", "退錢", "賠償", "refund", "chargeback", "compensation", "money back",
)  # fmt: skip
HUMAN_TERMS: Final[tuple[str, ...]] = (
    "人工", "真人", "客服", "專人", "主管", "human", "agent", "representative", "supervisor",
    "customer service",
)  # fmt: skip

DEFAULT_KEYWORD_GROUPS: Final[tuple[KeywordGroup, ...]] = (
    KeywordGroup(name="legal", severity="critical", terms=LEGAL_TERMS),
    KeywordGroup(name="complaint", severity="high", terms=COMPLAINT_TERMS),
    KeywordGroup(name="refund", severity="medium", terms=REFUND_TERMS, soft=True),
    KeywordGroup(name="human", severity="medium", terms=HUMAN_TERMS, soft=True),
)

# Phrases that contain a keyword but are not a reason to escalate: the bot's identity, opening
# hours, artificial intelligence, idioms. A match overlapping one of them (or one of the
# patterns below) is skipped.
DEFAULT_IGNORE_PHRASES: Final[tuple[str, ...]] = (
    "人工智慧", "人工智能", "人工智障", "真人秀", "真人版", "真人實境", "是真人嗎", "是不是真人",
    "你是真人", "客服營業", "客服上班", "客服下班", "客服的上班", "退款政策", "退款流程",
    "退款規定", "退費規定", "退費流程", "human error", "human rights", "human being",
    "agent of change", "travel agent", "user agent", "real estate agent", "insurance agent",
    "secret agent", "free agent", "are you a human", "are you human", "are you a real person",
    "are you a person", "are you a bot", "is this a real person", "is this a human",
    "am i talking to a human", "am i talking to a real person", "am i talking to a bot",
    "customer service phone", "refund policy", "court case", "food court", "basketball court",
)  # fmt: skip

# Regexes over folded text for the same purpose: questions about support hours and numbers.
DEFAULT_IGNORE_PATTERNS: Final[tuple[str, ...]] = (
    r"(?:人工客服|真人客服|客服中心|客服|人工)的?(?:服务|营业|上班|值班|下班)?"
    r"(?:时间|时段|电话|专线|热线|号码|信箱|邮箱|几点)",
    r"(?:customer service|agents?|support)(?:'s)?\s+(?:opening\s+|office\s+|working\s+)?"
    r"(?:hours|phone number|number|email|e-mail)",
)

# Words that show the customer is asking for something; a positive turn without any of them is
# praise or closure, which mutes soft keywords and the AI-failure counter.
DEFAULT_REQUEST_CUES: Final[tuple[str, ...]] = (
    "我要", "我想", "想要", "請", "幫我", "麻煩", "給我", "能不能", "可不可以", "可以幫",
    "可以給", "要求", "i want", "i need", "i'd like", "i would like", "please", "can i",
    "can you", "could you", "give me", "let me",
)  # fmt: skip


class PolicyRules(_Frozen):
    """Everything the escalation policy reads; defaults are the shipped policy.

    `enabled_reasons` switches rules off without touching their word lists; the evaluation order
    is always that of `REASONS`.
    """

    enabled_reasons: tuple[Reason, ...] = REASONS
    request_phrases: tuple[str, ...] = DEFAULT_REQUEST_PHRASES
    request_patterns: tuple[str, ...] = DEFAULT_REQUEST_PATTERNS
    keyword_groups: tuple[KeywordGroup, ...] = DEFAULT_KEYWORD_GROUPS
    ignore_phrases: tuple[str, ...] = DEFAULT_IGNORE_PHRASES
    ignore_patterns: tuple[str, ...] = DEFAULT_IGNORE_PATTERNS
    request_cues: tuple[str, ...] = DEFAULT_REQUEST_CUES
    negation: NegationRules = NegationRules()
    ai_fail_threshold: int = Field(default=3, ge=1)
    sentiment_threshold: float = Field(default=-0.6, ge=-1, le=1)
    sentiment_high_threshold: float = Field(default=-0.85, ge=-1, le=1)
    sustained_threshold: float = Field(default=-0.3, ge=-1, le=1)
    sustained_turns: int = Field(default=3, ge=2)
    closure_min_score: float = Field(default=0.3, ge=-1, le=1)
    vip: VipRules = VipRules()

    @classmethod
    def from_json(cls, text: str) -> PolicyRules:
        """Rules from an admin's JSON document (missing keys keep their defaults)."""
        return cls.model_validate_json(text)
