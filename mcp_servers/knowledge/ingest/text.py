"""Text helpers every extractor shares: CJK-aware line joining, whitespace, legacy encodings."""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs, kana, hangul and the full-width punctuation that sits between them.
_CJK_RANGES = (
    "\u2e80-\u2fdf\u3000-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

# Frequent characters of written Chinese in both scripts, plus its punctuation. Wrongly decoded
# bytes (Big5 read as GB18030 or the reverse) land on rare ideographs, so this share tells the
# right encoding from the wrong one.
_COMMON = frozenset(
    "的一是不了在人有我他這个們中來上大為和國地到以說時要就出會可也你對生能而子那得於著下自之年過"
    "發後作裡用道行所然家種事成方多經麼去法學如都同現當沒動面起看定天分還進好小部其些主樣理心她本"
    "前開但因只從想實日者意無力它與長把機十民第公此已工使情明性知全三又關點正業外將兩高間由問很最"
    "重並物手應向頭文體政美相見被利什二等產或新己制身果加西月話合回特代內信表化老給世位次度門任常"
    "先海通教兒原東聲提立及比員解水名真論處走義各入幾口認條平系氣題活更別打女變四神總何電數安少報"
    "才結反受目太量再感建務做接必場件計管期市直資命山金指許統區保至形社便空決治展科司五基書非則聽"
    "白界達光放強即像難且權思完設式色路記品住告類求據程北邊該交規萬取格望覺術領共確傳師觀清今切讓"
    "識候帶導爭運聯持組每車親極服快辦議往元證近轉準始怎呢存未單具字愛流備連調深商算質團集百需價花"
    "華級整離況請技際約示復線費號另較注語請這们来为国说时会对过发后里种经么学现当没动还进样实无与长"
    "机关点业将两间问应头体觉产个见话内给门数报结务场计区许统书边该规万领确传师观让导争运联组车办议"
    "证转准单价华级离况请际复线费号较语您嗎吧網路續優惠申辦資格帳戶客服"
    "，。、「」：；！？（）"
)


def is_cjk(char: str) -> bool:
    return bool(CJK_CHAR.match(char))


def text_weight(text: str, cjk_weight: float) -> float:
    """Size in Latin-character equivalents: a CJK character carries about as much as 3 letters."""
    cjk = len(CJK_CHAR.findall(text))
    return len(text) - cjk + cjk * cjk_weight


def clean(text: str) -> str:
    """NFC, no control characters or NULs (pypdf leaves some), one space between words."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()


def join_pieces(left: str, right: str) -> str:
    """Join two fragments: no space after a CJK character, a hyphenated word rejoined."""
    if not left:
        return right
    if not right:
        return left
    if is_cjk(left[-1]):
        return left + right  # Chinese wraps anywhere and puts no space between sentences
    if left.endswith("-") and len(left) > 1 and left[-2].isalpha() and right[0].islower():
        return left[:-1] + right
    return left + " " + right


def join_lines(lines: list[str]) -> str:
    out = ""
    for line in lines:
        out = join_pieces(out, clean(line))
    return out


def looks_binary(text: str) -> bool:
    """More than 1% control characters: a decoded binary, not a text someone wrote."""
    return len(_CONTROL.findall(text[:20000])) > max(1, len(text[:20000]) // 100)


def _chinese_score(text: str) -> float:
    """Share of non-ASCII characters that are frequent Chinese characters or punctuation."""
    wide = [ch for ch in text[:20000] if ord(ch) > 127]
    if not wide:
        return 0.0
    return sum(ch in _COMMON for ch in wide) / len(wide)


def decode(data: bytes, hint: str | None = None) -> tuple[str, str] | None:
    """Bytes → (text, encoding), or None when no encoding gives readable text.

    BOMs first, then strict UTF-8, then the declared charset, then Big5 (cp950) and GB18030,
    keeping the one whose characters are frequent Chinese (GB18030 decodes almost any bytes).
    """
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.removesuffix("-sig")
            except UnicodeDecodeError:
                return None
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if hint:
        try:
            return data.decode(hint), hint.lower()
        except (UnicodeDecodeError, LookupError):
            pass
    best: tuple[float, str, str] | None = None
    for encoding in ("cp950", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _chinese_score(text)
        if score >= 0.25 and (best is None or score > best[0]):
            best = (score, text, encoding)
    return (best[1], best[2]) if best else None
