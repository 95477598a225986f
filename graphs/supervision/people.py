"""Somebody other than the customer: one lexicon for every frame that asks *whose* matter a
listed word belongs to (`asides.py`: somebody else's past contact; `hearsay.py`: their story,
their question, their wish). One place, so the frames cannot drift apart: a relative added for
one frame is a relative for all (they had grown two lists, each missing words of the other).

Patterns work on folded text (Simplified, lower case; 姊 does not fold).
"""

from __future__ import annotations

from typing import Final

# kin, friends, colleagues ("my best friend", "a neighbour")
_EN: Final = (
    r"(?<![a-z])(?:(?:my|our)\s+(?:\w+\s+)?|a\s+)(?:friend|mum|mom|mother|dad|father|sister"
    r"|brother|wife|husband|son|daughter|neighbou?r|colleague|co-?worker|flatmate|roommate"
    r"|partner|cousin|aunt|uncle|grandma|grandmother|grandpa|grandfather|boss|kid|child)s?"
    r"(?![a-z])"
)
# a stranger in the scene: "the guy ahead of me", 前面那个客人
_STRANGER: Final = (
    r"(?<![a-z])(?:the|a|some|this|one)\s+(?:guy|man|woman|lady|customer|person|bloke)"
    r"\s+(?:ahead of|in front of|behind|next to|before)\s+me(?![a-z])"
    r"|前面(?:那个|的)?(?:人|客人|大叔|阿姨|先生|小姐)"
)
_FR: Final = (
    r"(?<![a-z])(?:mon|ma|mes|notre) (?:voisin|voisine|ami|amie|copain|copine|frère|sœur|mari"
    r"|femme|collègue|père|mère|fils|fille|cousin|cousine)s?(?![a-z])"
)
_DE: Final = (
    r"(?<![a-z])(?:mein|meine|meinem|meiner|unser|unsere)\s+(?:kollege|kollegin|nachbar"
    r"|nachbarin|freund|freundin|mutter|vater|bruder|schwester|mann|frau|sohn|tochter|mitbewohner"
    r"|mitbewohnerin)(?![a-z])"
)
# Korean and Japanese: the person with a subject or topic particle (친구가, 友達が)
_KO_JA: Final = (
    r"(?:친구|동생|엄마|아빠|남편|아내|와이프|동료|이웃|누나|언니|오빠|지인|부모님|어머니|아버지)"
    r"(?:가|이|는|은|도)|(?:友达|友人|同僚|母|父|夫|妻|姉|兄|妹|弟|隣の人)(?:が|は|も)"
)
# 我 + kin only (not 客服大哥, 客服小姐), 表/堂 cousins
_ZH: Final = (
    r"(?:我|我的)?(?:朋友|同事|邻居|室友|老公|老婆|家人|妈妈|爸爸|儿子|女儿|长辈|阿嬷|阿公|奶奶|爷爷"
    r"|外婆|亲戚|同学|男友|女友|孩子|小孩)|我(?:的|家)?(?:表|堂)?(?:妈|爸|姐|姊|哥|弟|妹)"
)

SOMEONE: Final = "|".join((_EN, _STRANGER, _FR, _DE, _KO_JA, _ZH))
