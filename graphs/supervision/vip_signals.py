"""What a VIP says that the listed churn words miss (`VipRules.keywords` are literals).

Why apart from `rules.py`: the VIP bar exists so that an account worth keeping reaches a person
before it leaves; a VIP seldom says 解約 outright. Two kinds, each a pure function over folded
text (Simplified, lower case):

* `leaning` — churn said sideways: not renewing (不太想續了, "not gonna renew", 재계약 안 할),
  hesitating over the renewal (更新するかどうか迷って), or another operator's offer weighed
  (別家比較便宜, "the other carrier's offer looks tempting", 他社のキャンペーンが気になって).
* `trouble` — a calm first report of a service problem (the line slow or dropping, 斷斷續續,
  "keeps cutting out") or a word of disappointment (有點小失望): the VIP rule's first-failure
  bar, met before the AI has failed at all. A question about a case (如果網路慢…, "if the
  signal drops") and a denied one (沒有斷, "not slow") are none; the bill alone is not trouble
  (a VIP asking why a bill looks high is a question).
"""

from __future__ import annotations

import re
from typing import Final

from graphs.supervision.keywords import Span  # offsets in the folded text = the typed text's
from graphs.supervision.language import fold_pattern

# another operator: 別家/其他家/其他電信, "the other carrier", 他社, 다른 통신사, andere Anbieter
_OTHER: Final = (
    r"(?:别家|别间|其他家|其他电信|其他业者|别的电信|(?:the |an? )?(?:other|different) "
    r"(?:carrier|provider|operator|network|company)s?|他社|다른 ?(?:통신사|회사)"
    r"|andere[nr]? anbieter)"
)
_LEANING: Final = re.compile(
    "|".join(
        fold_pattern(p)
        for p in (
            # not renewing: 不太想續了, 應該就不續了, 不打算再續約 (継続 / 連續 are other words)
            r"不(?:太|大)?(?:想|打算|会|要|准备)?再?续(?:约|签|了|下去)",
            r"(?:续不续|要不要续约|是否续约)",
            r"(?:not|n't|never) (?:going to|gonna|planning (?:to|on)|sure (?:i'?ll|i will|about)|"
            r"think i'?ll|want to|likely to) renew",
            r"(?:更新|継続)(?:を)?(?:する|しない)?か(?:どうか)?迷",
            r"(?:재계약|갱신|연장)(?:을|은|는)? ?(?:안 ?하|안 할|고민)",
            r"(?:nicht|kaum) (?:mehr )?verlängern|no (?:voy a|pienso|quiero) renovar",
            # another operator weighed: cheaper, an offer, tempting, on one's mind
            _OTHER + r"[^。！？!?.\n]{0,16}(?:便宜|划算|优惠|比较好|更好|cheaper|better|offer|deal|"
            r"tempting|キャンペーン|安い|気になって|싸|저렴|günstiger)",
            r"(?:便宜|划算|cheaper|better deal)[^。！？!?.\n]{0,8}" + _OTHER,
            r"(?:offer|deal|promo)s? from " + _OTHER,
            r"thinking (?:of|about) (?:switching|leaving|moving)(?! (?:plan|my plan|to (?:the|a) "
            r"(?:higher|bigger|cheaper|5g)))",
        )
    )
)

_SERVICE: Final = (
    r"(?:网路|网络|网速|信号|讯号|收讯|上网|wifi|wi-fi|4g|5g|光世代|宽带|宽频|通话|电话|"
    r"internet|signal|connection|reception|network|data|line)"
)
_DENIED: Final = r"(?<![不没没有])(?<!没有)(?<!not )(?<!n't )(?<!no longer )"
_TROUBLE: Final = re.compile(
    "|".join(
        fold_pattern(p)
        for p in (
            _SERVICE
            + r"[^。！？!?.\n]{0,8}"
            + _DENIED
            + r"(?:慢|断断续续|断线|掉线|老是断|一直断|常断|不稳|连不上|收不到|不通|很差)",
            _SERVICE
            + r"[^.!?\n]{0,20}"
            + _DENIED
            + r"(?:(?:is |been |so |really |a bit |kinda )*slow|keeps? (?:dropping|cutting)|"
            r"cutting out|patchy|spotty|unstable)",
            _DENIED + r"(?:有点|有些|蛮|挺|很)?小?失望|disappointed|enttäuscht|がっかり|실망|"
            r"decepcionad[oa]|déçue?",
        )
    )
)
# a case asked about, not a problem had: 如果/假如/萬一, if, when, 的話
_CASE: Final = re.compile(
    fold_pattern(r"如果|假如|万一|要是|(?<![a-z])(?:if|when|in case)(?![a-z])|的话")
)


def leaning(folded: str) -> Span | None:
    """Where a churn signal is said without a listed churn word, or None."""
    found = _LEANING.search(folded)
    return found.span() if found else None


def trouble(folded: str) -> Span | None:
    """Where a calm report of a service problem or of disappointment is, or None."""
    found = _TROUBLE.search(folded)
    if found is None or _CASE.search(folded, 0, found.end()):
        return None
    return found.span()
