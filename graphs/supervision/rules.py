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
from graphs.supervision.repeat_rules import RepeatRules
from graphs.supervision.sarcasm import SarcasmRules
from graphs.supervision.sense import SenseRules

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
    patterns: tuple[str, ...] = Field(default=(), description="regexes over folded text")


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
        "another carrier", "switch provider", "port my number", "port out", "攜出", "攜到",
        "換一家", "換家電信",
        "terminate my contract",
        # other languages: leaving the operator (Anbieter wechseln, résilier, 乗り換え, 해지)
        "anbieter zu wechseln", "anbieter wechseln", "anbieterwechsel", "kündigen", "kündige",
        "changer d'opérateur", "résilier", "cambiar de compañía",
        "cambiar de operador", "他社に乗り換え", "乗り換えを検討", "해지", "통신사를 바꾸",
        "통신사 바꾸", "anderen anbieter", "autre opérateur", "otra compañía", "otro operador",
        "다른 통신사",
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
    r"(?:转|找|接|换|叫|要|请|让|联系|联络|呼叫|转接)(?:一下|一个|一位|个|位|下)?"
    r"(?:你们的?|贵公司的?)?(?:人工|真人|客服|专人|主管|经理|店长|主任|上级|上司|领导|负责人|负责的人|工作人员|专员|承办人员?|真的人|真正的人|活人)",
    r"(?:有没有|有无|没有)(?:人工|真人|客服|专人|活人)|有(?:没有)?(?:活|真)?人(?:在)?(?:吗|么|嘛)",
    r"(?:跟|和|与|同)(?:你们的?|贵公司的?|一个|一位)?(?:人工|真人|客服|专人|主管|经理|店长|主任|上级|上司|领导|负责人|负责的人|工作人员|专员|承办人员?|真的人|真正的人|活人|人)(?:谈|说|讲|聊|沟通|联系|对话)",
    r"(?:给我|派|换|找|叫|请)(?:一个|一位|个|位)(?:真|活|懂的|懂行的|会处理的|明白|能做主的|管事的|专业的)?"
    r"人(?![工员资])|(?:我要|我想|帮我|给我|快)找(?:个|一个)?人(?![工员资家多少])|换(?:一个|一位|个|位)?"
    r"(?:人|会处理的|懂的|别人|其他人)(?![工员资])|换(?:一个|一位|个|位)?(?:真的|活的|真正的|(?:能|会|可以)?(?:管事|做主"
    r"|处理|负责|说了算)的)(?:人)?(?:来|过来|吧|啦|好吗|$)",
    r"(?:能|可以|可不可以|能不能|帮我|请|麻烦)(?:帮我)?转接|转接(?:一下|拜托|吧)",
    r"(?:让|叫|请|派)(?:个|一个|一位|位)?(?:真|活)?人(?:来|过来|出来|处理)",
    # refusing the machine (我不想再跟機器講話, 我不要AI 我要人), somebody who understands
    r"(?:不想|不要|不愿意)(?:再)?(?:跟|和)?(?:机器人?|ai|bot|robot)(?:讲话|说话|聊天?|对话|沟通)"
    r"|(?<=我)(?:就|只)?要(?:一个|个)?(?:真)?人(?=$|[\s，。！!来])",
    r"(?:叫|请|派|找)(?:个|一个|一位|位)(?:懂的|懂行的|能处理的|会处理的|能做主的|管事的|有权限的)"
    r"|有没有(?:会|能)(?:讲|说)人话|听得懂人话的",
    r"(?:转给|转接给|交给|转交给?)(?:你们的?)?(?:人工|真人|客服|专人|主管|经理|店长|主任|上级|上司|领导|负责人|负责的人|工作人员|专员|承办人员?|真的人|真正的人|活人|别人|其他人)",
    r"打(?:个|通)?电话给我|打给我|(?:给我)?回(?:个|通)?电话(?:给我)?|回电|回拨给?我|致电给?我",
    # somebody to phone: 請人打來, 叫同事打給我, 派個專員來電
    r"(?:请|叫|让|派|找)(?:个|一个|一位|位)?(?:人|同事|同仁|专员|工作人员|负责的人)(?:打(?:来|过来|电话)"
    r"|来电|回电|联系我|联络我)",
    r"(?<![a-z])(?:talk|speak|chat|connect|transfer|put|get|give|pass|grab|fetch)\s+(?:me\s+)?"
    r"(?:(?:to|with|through to|through)\s+)?(?:(?:a|an|the|your|some)\s+)?"
    r"(?:(?:real|live|actual|human)\s+)?"
    r"(?:human|person|agent|representative|rep|operator|supervisor|manager|staff member"
    r"|customer service|someone|somebody|people)s?(?![a-z])",
    r"(?<![a-z])(?:want|need|like|request|prefer)\s+(?:(?:a|an|the|some)\s+)?"
    r"(?:(?:real|live|actual)\s+)?(?:human|person|agent|representative)s?(?![a-z])",
    # "I'm asking for a supervisor" (and, negated, "I'm not asking for a manager")
    r"(?<![a-z])(?:ask|asking|asked)\s+for\s+(?:(?:a|an|the|your|some)\s+)?(?:(?:real|live)\s+)?"
    r"(?:human|person|agent|representative|rep|manager|supervisor|someone|somebody)s?(?![a-z])",
    r"(?<![a-z])(?:is there|are there|do you have|have you got)\s+(?:(?:a|an|any)\s+)?"
    r"(?:(?:real|live|actual)\s+)?(?:human|person|agent|people)s?(?![a-z])",
    r"(?<![a-z])(?:human|agent|person|representative)\s*(?:please|pls|plz)(?![a-z])",
    # "is there anyone real I can talk to", "someone to speak with"
    r"(?<![a-z])(?:anyone|anybody|someone|somebody)\s+(?:real|human|alive|actual|competent|else)?"
    r"\s*(?:(?:i|we)\s+(?:can|could)\s+(?:actually\s+|really\s+|just\s+)?|to\s+)"
    r"(?:talk|speak|chat)\s+(?:to|with)(?![a-z])",
    # asking whether a person is there at all: "is anyone real on the other end?" (有人嗎)
    r"(?<![a-z])(?:(?:is|are)\s+(?:there\s+)?(?:any|some)(?:one|body)\s+(?:real|human|alive)|is\s+(?:an?"
    r"|any)\s+(?:manager|supervisor|human|agent|person)\s+(?:available|free)(?![a-z])(?!\s+(?:on|at"
    r"|during|after|in|every|24)))",
    r"(?<![a-z])(?:can|could|may|will)\s+(?:a|an|some)\s+(?:(?:real|live|actual)\s+)?"
    r"(?:human|person|agent|representative)s?(?![a-z])",
    # somebody to call back / take over, without the words human or agent
    r"(?<![a-z])(?:someone|somebody|anyone|anybody|a person|an agent|a human|your staff|"
    r"your team)\s+(?:(?:from|at|in)\s+(?:your|the)\s+\w+\s+)?(?:to\s+)?"
    r"(?:call|ring|phone|contact)\s+me(?![a-z])",
    r"(?<![a-z])(?:call|ring|phone)\s+me\s+(?:please|pls|plz|asap|now|today)(?![a-z])",
    r"(?<![a-z])(?:don't|do not|dont)\s+(?:want|wanna|need)\s+(?:to\s+)?(?:keep\s+)?"
    r"(?:talk|chat|speak)(?:ing)?\s+(?:to|with)\s+(?:a|the|this|your)\s+(?:bot|machine|robot|ai)(?![a-z])",
    r"(?<![a-z])give\s+me\s+a\s+(?:ring|call|buzz)(?![a-z])|"
    r"(?<![a-z])(?:call|ring|phone)\s+me\s+back(?![a-z])|(?<![a-z])(?:request|want|need|like)\s+"
    r"(?:a\s+)?call\s?back(?![a-z])",
    # other languages (the semantic layer covers the rest)
    r"(?<![a-z])(?:mit|einen?)\s+(?:einem\s+|einer\s+)?(?:echten\s+)?(?:mitarbeiter(?:in)?|"
    r"menschen|kundenberater(?:in)?|berater(?:in)?|ansprechpartner(?:in)?|person)(?![a-z])",
    r"(?<![a-z])(?:parler|discuter)\s+(?:à|a|avec)\s+(?:un|une|quelqu'un)\s*"
    r"(?:conseiller|conseillère|humain|personne|agent|opérateur)?",
    r"(?<![a-z])(?:hablar|comunicarme)\s+con\s+(?:una|un|alguien)\s*(?:persona|agente|humano"
    r"|asesor|operador)?",
    r"オペレーター|有人対応|担当者|人と话|人间と话|상담원|상담사|사람(?:이랑|과|하고)",
)

LEGAL_TERMS: Final[tuple[str, ...]] = (
    "律師", "提告", "告你", "告死", "法院", "訴訟", "法律途徑", "法律行動", "消保", "消基會",
    "消費者保護", "通傳會", "ncc", "公平會", "工信部", "12315", "消協", "lawyer", "attorney",
    "sue", "suing", "lawsuit", "legal action", "small claims", "ombudsman", "regulator", "fcc",
    "take you to court", "起訴", "打官司", "律師函", "存證信函", "法院見", "法庭見", "報警",
    "法律程序", "訴諸法律", "主管機關", "陳情", "通信管理局", "市場監管", "12300", "solicitor",
    "court",
    "legal steps", "legal proceedings", "legal route", "press charges",
    "consumer protection", "consumer affairs", "trading standards", "better business bureau",
    "attorney general", "anwalt", "verklagen", "klage", "gericht", "avocat", "tribunal",
    "porter plainte", "abogado", "demanda", "denunciar", "弁護士", "訴え",
)  # fmt: skip
# Threat verbs around a legal noun: 告你們, 去告, file a claim against, report you to the police.
LEGAL_PATTERNS: Final[tuple[str, ...]] = (
    r"告(?:你|你们|贵公司|死你|到底|上法院)|去告|(?:提|提出|提起)(?:告诉|诉讼|告)",
    r"(?<![a-z])(?:pursue|pursuing)\s+(?:this\s+|it\s+)?(?:legally|in court|legal)",
    r"(?<![a-z])(?:file|lodge|bring|take)\s+(?:a\s+)?(?:legal\s+)?(?:claim|case|suit|action)"
    r"\s+against(?![a-z])",
    r"(?<![a-z])report\s+(?:you|this|your company)\s+to\s+(?:the\s+)?(?:police|authorit"
    r"|regulator|consumer|attorney|bbb|ofcom|acma|ftc|fcc|ncc)",
)
COMPLAINT_TERMS: Final[tuple[str, ...]] = (
    "投訴", "客訴", "申訴", "抗議", "檢舉", "舉報", "complaint", "complain", "escalate",
    "report you",
)  # fmt: skip
# A demand to be answered for: 給個交代, 給我一個說法
COMPLAINT_PATTERNS: Final[tuple[str, ...]] = (r"给(?:我|我们)?(?:一)?个(?:交代|说法)",)
# Refund demands without the word: 錢還我, 退給我, give me my money back.
REFUND_PATTERNS: Final[tuple[str, ...]] = (
    r"(?:还我|还给我|退给我|退回来|退回给我)|退我(?:钱|违约金|费用|月租)|(?:赶紧|快点?|马上|立刻)退"
    r"|(?:把)?钱退(?:了|掉|回|给)",
    r"(?<![a-z])(?:give|pay)\s+me\s+(?:my\s+|the\s+)?money\s+back(?![a-z])"
    r"|(?<![a-z])(?:give|pay)\s+me\s+back\s+(?:my|the|what)(?![a-z])",
    r"(?<![a-z])(?:reverse|credit|waive)\s+(?:this|the|that|these|those)\s+(?:charges?|fees?)"
    r"|(?<![a-z])(?:credit my account|reimburse(?:d)? me)(?![a-z])",
)
REFUND_TERMS: Final[tuple[str, ...]] = (
    "退款", "退費", "退錢", "賠償", "refund", "chargeback", "compensation", "money back",
)  # fmt: skip
HUMAN_TERMS: Final[tuple[str, ...]] = (
    "人工", "真人", "客服", "專人", "主管", "human", "agent", "representative", "supervisor",
    "customer service", "operator",
)  # fmt: skip

DEFAULT_KEYWORD_GROUPS: Final[tuple[KeywordGroup, ...]] = (
    KeywordGroup(name="legal", severity="critical", terms=LEGAL_TERMS, patterns=LEGAL_PATTERNS),
    KeywordGroup(
        name="complaint", severity="high", terms=COMPLAINT_TERMS, patterns=COMPLAINT_PATTERNS
    ),
    KeywordGroup(
        name="refund", severity="medium", terms=REFUND_TERMS, soft=True, patterns=REFUND_PATTERNS
    ),
    KeywordGroup(name="human", severity="medium", terms=HUMAN_TERMS, soft=True),
)

# Phrases that contain a keyword but are not a reason to escalate: the bot's identity, opening
# hours, artificial intelligence, idioms. A match overlapping one of them (or one of the
# patterns below) is skipped.
DEFAULT_IGNORE_PHRASES: Final[tuple[str, ...]] = (
    "人工智慧", "人工智能", "人工智障", "真人秀", "真人版", "真人實境", "是真人嗎", "是不是真人",
    "你是真人", "客服營業", "客服上班", "客服下班", "客服的上班", "退款政策", "退款流程",
    "退款規定", "退費規定", "退費流程", "human error", "human rights",
    "agent of change", "travel agent", "user agent", "real estate agent", "insurance agent",
    "secret agent", "free agent", "are you a human", "are you human", "are you a real person",
    "are you a person", "are you a bot", "律師公會", "律師事務所", "律師費", "law firm",
    "paralegal", "is this a real person", "is this a human",
    "am i talking to a human", "am i talking to a real person", "am i talking to a bot",
    "customer service phone", "refund policy", "court case", "court order", "food court",
    "basketball court", "network operator", "mobile operator", "telecom operator",
    "tour operator", "operator fee", "operators in", "which operator", "other operator",
)  # fmt: skip

# Regexes over folded text for the same purpose: questions about support hours and numbers.
DEFAULT_IGNORE_PATTERNS: Final[tuple[str, ...]] = (
    r"(?:人工客服|真人客服|客服中心|客服|人工)的?(?:服务|营业|上班|值班|下班)?"
    r"(?:时间|时段|电话|专线|热线|号码|信箱|邮箱|几点)",
    r"(?:customer service|agents?|support)(?:'s)?\s+(?:opening\s+|office\s+|working\s+)?"
    r"(?:hours|phone number|number|email|e-mail)",
    # a question about the word, not a request: its cost, schedule, rules, or a third party
    r"(?:转|找|接|联系|打给?)?(?:人工|真人|客服|专人)(?:客服|服务|专线|电话)?(?:要|需要|会|是否|是不是"
    r"|有没有|有)?(?:另外|额外)?(?:收费|付费|要钱|花钱|扣钱|算钱|多少钱|费用|免费|免付费)",
    r"(?:找|转|联系|打给?)(?:人工|真人|客服|专人)(?:客服)?(?:才能|才可以|才行|才会|办理)",
    r"(?:人工|真人|客服|专人)(?:客服|服务)?(?:一般|通常|平时|平常)?"
    r"(?:周末|(?:国定|连续)?假日|过年|春节|星期[六日天]|礼拜[六日天]|晚上|半夜|几点|什么时候)"
    r"(?:有|会)?(?:上班|值班|营业|在|有人)?",
    r"(?:人工|真人)(?:审核|审查|检查|判断|验证|回复的吗|回答的吗|在回)",
    r"退(?:款|费)(?:政策|流程|规定|规则|条件|方式|期限|办法|标准|大概|一般|通常)?(?:要|需要|会)?"
    r"(?:多久|几天|几个工作天|多少天|多长时间|退到|到账|入账|怎么算|原路(?:返回|退回)?(?:吗|么|嘛|呢))",
    r"(?:朋友|同学|同事|家人|爸|妈|哥|姐|弟|妹|老公|老婆|先生|太太|女儿|儿子|亲戚)(?:是|当)(?:律师|法官)",
    r"(?<![a-z])(?:human|agent)[- ](?:powered|readable|like|made|sized|friendly|centered)",
    r"(?:我是|我在|本人是|我们是)(?:一名|一位|个|一个)?(?:律师|法务|律师事务所)",
    r"(?<![a-z])(?:i'm|im|i am|we are|we're)\s+(?:an?\s+)?(?:lawyer|attorney|paralegal|"
    r"solicitor|law firm)s?|(?:lawyer|attorney)\s+friends?(?![a-z])",
    r"(?<![a-z])complaints?\s+(?:process|procedure|policy|form|page|department|hotline|number"
    r"|works?)(?![a-z])",
    r"(?<![a-z])(?:process|procedure|steps)\s+(?:for|of|to)\s+(?:filing|lodging|making|submitting"
    r"|raising|registering)\s+(?:a\s+|an\s+)?(?:formal\s+)?complaint",
    r"(?<![a-z])(?:my|a)\s+(?:friend|brother|sister|dad|father|mum|mom|mother|wife|husband|"
    r"cousin|son|daughter)(?:'s|\s+is|\s+was)\s+an?\s+(?:lawyer|attorney)",
    r"(?<![a-z])(?:mein|meine|unser|unsere)\s+(?:sohn|tochter|bruder|schwester|vater|mutter|mann"
    r"|frau|freund|freundin|nachbar|nachbarin|kollege|kollegin|cousin|cousine)\s+(?:ist|war"
    r"|arbeitet als)\s+(?:\w+\s+)?(?:anwalt|anwältin|rechtsanwalt|rechtsanwältin|jurist|juristin)",
    r"(?<![a-z])(?:mon|ma)\s+(?:fils|fille|frère|soeur|sœur|père|mère|mari|femme|ami|amie|voisin"
    r"|voisine|collègue|cousin|cousine)\s+est\s+(?:\w+\s+)?(?:avocat|avocate|juriste)",
    r"(?<![a-z])(?:does|do|would|will|is)\s+(?:it\s+)?(?:talking|speaking|chatting|calling|"
    r"transferring)?\s*(?:to\s+)?(?:a\s+)?(?:live|real|human)?\s*(?:human|agent|person|support"
    r"|customer service)\s+(?:cost|charge|free|chargeable|billed)",
    r"(?<![a-z])(?:human|live|agent|customer service|support)\s+(?:support\s+|chat\s+)?"
    r"(?:line\s+)?(?:free|charged|chargeable|cost)(?![a-z])",
    r"(?<![a-z])refunds?\s+(?:policy|policies|process|period|window|terms|rules|timeline|"
    r"time|times|receipt|status|confirmation|reference|form)(?![a-z])",
    # praise of the staff, and the staff in the past: 人工客服很有效率, your agent was great,
    # 上次找客服問過了, I spoke to an agent yesterday
    r"(?:人工客服|真人客服|客服人员|客服|专员|人工)(?:小姐|先生|人员|大哥|姐姐)?(?:上次|之前|昨天|那天|今天"
    r"|刚刚)?(?:都|也)?(?:很|真|超|非常|蛮|挺|好)(?:有)?(?:效率|有效率|专业"
    r"|亲切|耐心|棒|好|快|用心|热心|细心|给力|贴心)",
    r"(?<![a-z])(?:your|the|that)\s+(?:agent|rep|representative|staff|human|person)s?\s+"
    r"(?:was|were|is|are)\s+(?:\w+\s+)?(?:great|helpful|lovely|amazing|kind|nice|brilliant|"
    r"excellent|fantastic|patient|friendly)",
    r"(?:上次|之前|昨天|前天|刚刚|刚才|已经|有)(?:找|问|打给|联系|跟)(?:过)?(?:客服|人工|真人)",
    # one person met before (上次那位客服人員, 幫我謝謝她), feedback on an agent who helped
    r"(?<![找转接叫要请跟和])(?:上次|之前|昨天|前天|刚刚|刚才|那天|早上|下午)(?:的)?(?:那|这)?(?:位|个)(?:客服|人工|真人|专员)"
    r"(?:人员|小姐|先生|专员)?",
    r"(?<![a-z])(?:agent|rep|representative|person|staff member|advisor|adviser)s?\s+(?:who|that)"
    r"\s+(?:\w+\s+)?(?:helped|assisted|served|sorted|fixed|handled|solved|resolved)(?![a-z])",
    r"(?<![a-z])(?:feedback|compliment|thanks|praise|review)\s+(?:about|for|on|to)\s+(?:an?|the|your"
    r"|that|one of your)\s+(?:agent|rep|representative|staff member|advisor)s?(?![a-z])",
    r"(?<![a-z])(?:spoke|talked|chatted)\s+(?:to|with)\s+(?:an?|your|the|one of your)\s+"
    r"(?:agent|rep|representative|human|person|staff)s?",
    # paperwork and status of a refund or complaint already filed, how to apply
    r"退(?:款|费)(?:的)?(?:申请表|表格|表单|收据|证明|单据|进度|状态|结果|记录)|退(?:款|费)(?:已经|有)?"
    r"(?:到|入|进)(?:了)?(?:账|帐)?(?:吗|没)",
    r"(?:怎么|如何|要怎么|怎样)(?:申请|办理|操作)?(?:退款|退费)",
    r"(?:投诉|申诉|客诉)(?:的)?(?:结果|进度|案件|状态|编号|单号|处理结果)",
    r"(?<![a-z])how\s+long\s+(?:does|do|will|would)\s+(?:a\s+|the\s+|my\s+)?refunds?\s+take",
    r"(?:人工|真人)(?:客服)?(?:跟|和|与|同|比)(?:ai|机器人|你|智能客服)[^，。？！?!,]{0,8}"
    r"(?:一样|不同|差别|区别|差|比较)",
    r"(?:转接|转|找|接)?(?:人工|真人|客服)(?:客服)?(?:大概|一般|通常)?(?:都)?(?:需要|要|会)?(?:排队|等待?)?"
    r"(?:多久|多长时间|几分钟|多少时间|(?:很|太|蛮|比较|会不会)久(?:吗|么|嘛|呢|[？?]))",
    r"(?:投诉|申诉|客诉)(?:的)?(?:电话|专线|热线|管道|渠道|方式|流程|窗口|邮箱|信箱|网址|入口)",
    r"(?:ncc|fcc|通传会)\s*(?:核准|认证|审定|审验|规定|标章|许可|approved|certified|certification"
    r"|approval)",
    r"「[^」]{1,30}」|『[^』]{1,30}』|“[^”]{1,40}”|(?<![a-z0-9])'(?:[^'\n]|(?<=[a-z])'(?=[a-z])){1,30}'(?![a-z0-9])"
    r'|(?<![a-z0-9])"[^"\n]{1,40}"',
    r"(?<![a-z])ai[- ]agents?(?![a-z])",
    r"(?<![a-z])(?:number|phone|hotline|e-?mail|address|hours)\s+(?:for|of)\s+(?:the\s+)?"
    r"(?:customer service|support|agents?|customer care)",
    r"(?<![a-z])cost\s+(?:anything|money|extra|something)?\s*to\s+(?:talk|speak|chat)"
    r"(?:\s+(?:to|with)\s+(?:a\s+|an\s+)?(?:live\s+|real\s+)?(?:human|agent|person|rep))?|"
    r"(?<![a-z])(?:fee|charge)\s+(?:for|to)\s+(?:talking|speaking|calling|talk|speak|call)",
    r"(?<![a-z])(?:do|would|will|can|could)\s+i\s+(?:get|receive|be eligible for|qualify for)"
    r"\s+(?:a\s+)?(?:full\s+|partial\s+)?refund\s+(?:if|when|for|after)",
    r"(?:如果|若|要是|假如)[^。？！?!]{0,20}(?:会|能|可以|可不可以|有)(?:退款|退费|退钱)",
    r"(?:オペレーター|担当者|有人|サポート)(?:の)?(?:対応|受付|営业)?(?:时间|何时)",
    r"(?<![a-z])(?:proses|process)\s+refund|berapa\s+lama[^?.!]{0,20}refund",
    # the words in another sense: a visit by staff, an app or bot named after support, a job,
    # a manager's approval (专人到府安装, 客服小帮手 App, 应征客服, supervisor approval)
    r"专人(?:到府|到家|上门|到场|到店|送件|送货|安装|解说|讲解|导览)",
    r"(?:客服|人工|真人|专人)(?:小帮手|小助手|助理|助手|app|应用程式|应用程序|软件|程式)",
    r"(?:(?<=智能)|(?<=智慧)|(?<=ai)|(?<=机器人)|(?<=虚拟)|(?<=自动)|(?<=语音))客服",
    # a complaint or refund in the past, settled since (之前投訴過，後來有處理好)
    r"(?:之前|上次|以前|曾经|去年|上个月|有次|有一次)[^。？！?!]{0,8}?(?:投诉|申诉|客诉|退款|退费|抗议"
    r"|检举)过?[^。？！?!]{0,12}?(?:后来|最后|已经|都)(?:有|也)?(?:处理|解决|退|收到|搞定)"
    r"(?:得(?:挺|很|蛮|还|都)?)?(?:好|了|完|回来|不错|快)",
    r"(?:投诉|申诉|客诉|退款|退费|抗议|检举)[^。？！?!]{0,8}?过[^。？！?!]{0,8}?(?:后来|最后|已经|都)"
    r"(?:有|也)?(?:处理|解决|退|收到|搞定)(?:得(?:挺|很|蛮|还|都)?)?(?:好|了|完|回来|不错|快)",
    r"(?<![a-z])(?:complained|filed a complaint|made a complaint|got (?:a|my|the|his|her) refund"
    r"|asked for a refund|was refunded)[^.?!;]{0,50}?(?:got|was|were|been|all)\s+(?:\w+\s+)?"
    r"(?:sorted|resolved|fixed|handled|settled|refunded)(?![a-z])",
    r"(?:オペレーター|担当者|有人対応|サポート)(?:って|は|の|に)?[^。？?]{0,6}?(?:土日|周末|祝日|平日"
    r"|夜|何时|时间|年中无休)",
    r"(?:应征|应聘|招聘?|征|当|做|担任)(?:一名|一个|个)?(?:客服|专员|主管)(?:人员)?",
    r"(?<![a-z])(?:supervisor|manager|boss)(?:'s)?\s+(?:approval|sign-?off|permission|consent"
    r"|signature|authori[sz]ation)",
    r"(?:有人対応|オペレーター|担当者)(?:は|に|の|って)?[^。？?]{0,8}(?:有料|无料|料金|费用|お金)",
    # the word as a modifier or a profession, how a complaint is handled, an agent met before:
    # human review, 律師證照, how are complaints handled, the agent I chatted with yesterday
    r"(?<![a-z])human\s+(?:review|check|checks|verification|oversight|approval|moderation"
    r"|touch|resources)(?![a-z])(?!\s+(?:my|our|this|the|it|me|that|them)(?![a-z]))",
    r"律师(?:证照|执照|证书|考试|资格|高考|助理|行业)",
    r"(?<![a-z])how\s+(?:are|is|do you|does your team)\s+(?:\w+\s+){0,3}?(?:complaints?|refunds?"
    r"|disputes?)\s+(?:\w+\s+){0,2}?(?:handled|processed|dealt with|reviewed|resolved|handle"
    r"|process)(?![a-z])",
    r"(?:投诉|申诉|客诉|退款|退费)(?:一般|通常|都)?(?:是)?(?:怎么|如何)(?:处理|审核|进行|办理)的?"
    r"(?:吗|呢)?[？?]",
    r"(?<![a-z])(?:agent|rep|representative|person|staff member)s?\s+(?:(?:that|who)\s+)?(?:i|we)"
    r"\s+(?:spoke|talked|chatted|dealt|was talking)(?![a-z])",
    # how the service routes *things* (questions, calls, tickets) to people: a description of
    # the process, not a customer asking for one (有些問題會被轉到真人客服, chats get routed to)
    r"(?:问题|案件|订单|电话|来电|通话|对话|聊天|工单|申请|案子)[^，。？！?!,]{0,6}被(?:自动)?"
    r"(?:转|转接|转交|交|派)(?:到|给)?(?:人工|真人|客服|专人|主管)(?:客服)?",
    r"(?<![a-z])(?:questions|chats|calls|cases|tickets|requests|conversations)\s+(?:\w+\s+){0,3}"
    r"(?:get|gets|are|is|will be)\s+(?:\w+\s+)?(?:transferred|passed|handed|escalated|routed|sent)"
    r"\s+(?:over\s+)?to\s+(?:a\s+|an\s+)?(?:real\s+|live\s+)?(?:human|agent|person|staff|"
    r"supervisor)s?",
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
    # frames in which a listed word is mentioned, not used (sense.py)
    sense: SenseRules = SenseRules()
    ai_fail_threshold: int = Field(default=3, ge=1)
    sentiment_threshold: float = Field(default=-0.6, ge=-1, le=1)
    sentiment_high_threshold: float = Field(default=-0.85, ge=-1, le=1)
    sustained_threshold: float = Field(default=-0.3, ge=-1, le=1)
    sustained_turns: int = Field(default=3, ge=2)
    closure_min_score: float = Field(default=0.3, ge=-1, le=1)
    vip: VipRules = VipRules()
    repeat: RepeatRules = RepeatRules()
    sarcasm: SarcasmRules = SarcasmRules()
    # the semantic layer (intent.py): escalate when the escalating examples are at least as near
    # as the calm ones (margin >= this). 0, not the bank's LOO optimum -0.01: a negative bar
    # escalated turns nearer the calm side ("那我自己問 AI：4G 方案呢？" right after cancelling an
    # escalation); LOO F1 0.909 vs 0.918, dev and holdout unchanged (docs/escalation.md)
    semantic_margin: float = Field(default=0.0, ge=-1, le=1)
    # the n-gram first look (`screen.py`): decides confidently calm turns and plain soft-keyword
    # demands without an embedding; off = every such turn pays the model (docs/escalation.md)
    first_look: bool = True

    @classmethod
    def from_json(cls, text: str) -> PolicyRules:
        """Rules from an admin's JSON document (missing keys keep their defaults)."""
        return cls.model_validate_json(text)
