"""Device extractors for the offline model: catalogue models as people say them ("i16 pro",
"三星 S25", "S25U" → model name and device id), brands, colours, OS, device type, budget and
priorities. Pure functions of the text (and the static POS catalogue), tested from tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from tools.llm.offline_extract import number_word


@dataclass(frozen=True)
class CatalogDevice:
    device_id: str
    brand: str
    model: str
    storage_gb: int
    os_type: str
    device_type: str
    colors: tuple[str, ...]


@dataclass(frozen=True)
class DeviceRef:
    """A device the text names: the catalogue model (all storages) and the id to use."""

    model: str
    device_id: str
    brand: str
    os_type: str
    colors: tuple[str, ...]


@cache
def catalog() -> tuple[CatalogDevice, ...]:
    """The POS catalogue (static data: ids are table positions, as the POS server assigns)."""
    from mcp_servers.backoffice.catalog_devices import build_devices

    return tuple(
        CatalogDevice(
            d.device_id, d.brand, d.model, d.storage_gb, d.os_type, d.device_type, tuple(d.colors)
        )
        for d in build_devices()
    )


def _squash(text: str) -> str:
    """Lower case, no spaces or brackets; "+" spelled "plus" so "S25+" = "S25 Plus"."""
    return re.sub(r"[\s（）()\-_·・]", "", _normal(text))


def _normal(text: str) -> str:
    low = text.lower().replace("+", "plus").replace("＋", "plus")
    return low.replace("紅米", "redmi ").replace("红米", "redmi ")


_ZH_BRAND = {"Apple": ("蘋果", "苹果", "apple"), "Samsung": ("三星", "samsung"),
             "Google": ("谷歌", "google"), "Sony": ("索尼", "sony"),
             "ASUS": ("華碩", "华硕", "asus"),
             "Xiaomi": ("小米", "xiaomi"), "OPPO": ("oppo",), "vivo": ("vivo",),
             "Motorola": ("摩托羅拉", "摩托罗拉", "motorola", "moto")}  # fmt: skip
_SERIES = ("iphone", "galaxy", "xiaomi", "pixel", "xperia", "zenfone")


def _model_names(device: CatalogDevice, models: set[str]) -> set[str]:
    """The model's name and its leading words while they name no other model ("iPad Air 11
    吋（M3）5G" → "iPad Air 11", "iPad Air"; "Redmi Note 14 Pro 5G" → "Redmi Note 14 Pro")."""
    words = re.split(r"[\s（）()]+", device.model.strip())
    words = [w for w in words if w]
    names = {device.model}
    for size in range(2, len(words)):
        prefix = " ".join(words[:size])
        if prefix.lower() not in models and re.search(r"[A-Za-z0-9]", prefix):
            names.add(prefix)
    return names


def _aliases(model: str, brand: str) -> set[str]:
    """How people write a model: "iPhone 16 Pro" → iphone16pro, i16pro, ip16pro, 16pro;
    "Galaxy S25 Ultra" → s25ultra, s25u, 三星s25ultra."""
    full = _squash(model)
    names = {full}
    for prefix in _SERIES:
        if full.startswith(prefix) and len(full) > len(prefix):
            rest = full[len(prefix) :]
            if prefix == "iphone":
                names |= {p + rest for p in ("i", "ip", "ipone", "iphon", "哀鳳", "愛瘋")}
                if rest[0].isdigit():
                    names.add(rest)  # "17 pro max" alone means an iPhone
            elif prefix == "galaxy":
                names.add(rest)
                if rest.startswith("z"):
                    names.add(rest[1:])  # "Fold7"
            elif prefix != "pixel":
                names.add(rest)
    if full.startswith("applewatch"):
        rest = full[len("applewatch") :]
        names |= {w + rest for w in ("watch", "手錶", "手表", "蘋果手錶", "苹果手表", "aw")}
    names.discard("")  # "Galaxy Z" leaves nothing after its series: no brand-only alias
    for name in list(names):
        names |= {name.replace("ultra", "u"), name.replace("promax", "pm")}
        for word in _ZH_BRAND.get(brand, ()):
            names.add(_squash(word) + name)
    return {n for n in names if len(n) >= 3 and not n.isdigit()}


@cache
def _alias_table() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, model), longest alias first so "s25ultra" wins over "s25"; spaces optional
    between characters, word edges kept ("i1" never matches inside "i16")."""
    models = {d.model.lower() for d in catalog()}
    owner: dict[str, tuple[int, str, str]] = {}
    for d in catalog():
        for name in _model_names(d, models):
            for alias in _aliases(name, d.brand):
                rank = (0 if name == d.model else 1, d.model, d.device_id)
                key = (rank[0], len(d.model), d.device_id)
                if alias not in owner or key < (
                    owner[alias][0],
                    len(owner[alias][1]),
                    owner[alias][2],
                ):
                    owner[alias] = (rank[0], d.model, d.device_id)
    table = []
    for alias in sorted(owner, key=lambda a: (-len(a), a)):
        body = r"\s*".join(re.escape(c) for c in alias)
        end = r"(?![a-z])" if alias[-1].isalpha() else r"(?!\d)"
        table.append((re.compile(rf"(?<![a-z0-9]){body}{end}"), owner[alias][1]))
    return tuple(table)


_STORAGE = re.compile(r"(?i)(\d{1,4})\s*(g|gb|t|tb)\b")


def _storage_gb(text: str) -> int | None:
    if m := _STORAGE.search(text):
        size = int(m.group(1))
        return size * 1024 if m.group(2).lower().startswith("t") else size
    return None


def device_ref(model: str, text: str = "") -> DeviceRef | None:
    """The catalogue entry for a model name; the storage said in `text`, else the smallest."""
    variants = [d for d in catalog() if d.model.lower() == model.lower()]
    if not variants:
        return None
    want = _storage_gb(text)
    chosen = next((d for d in variants if d.storage_gb == want), None) or min(
        variants, key=lambda d: (d.storage_gb, d.device_id)
    )
    return DeviceRef(chosen.model, chosen.device_id, chosen.brand, chosen.os_type, chosen.colors)


def find_device(text: str) -> DeviceRef | None:
    """The catalogue device a question names, as people say it ("i16 pro", "三星 S25")."""
    normal = re.sub(r"[（）()\-_·・]", " ", _normal(text))
    for pattern, model in _alias_table():
        if pattern.search(normal):
            return device_ref(model, text)
    return None


def context_device(context: Mapping[str, Any]) -> DeviceRef | None:
    """The device already picked in the renewal (step 6-7), if any."""
    if context.get("selected_device_id"):
        for d in catalog():
            if d.device_id == context["selected_device_id"]:
                return DeviceRef(d.model, d.device_id, d.brand, d.os_type, d.colors)
    model = context.get("selected_device_model")
    return device_ref(str(model)) if model else None


def brand_of(text: str) -> str | None:
    low = text.lower()
    for brand, words in _ZH_BRAND.items():
        if any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in words):
            return brand
    if re.search(r"(?i)iphone|ipad|apple watch", text):
        return "Apple"
    if re.search(r"(?i)galaxy", text):
        return "Samsung"
    if re.search(r"(?i)pixel", text):
        return "Google"
    return None


# --- colours, OS, device type, budget, priorities ---------------------------------------------

_COLOUR_WORDS = {
    "黑": ("black", "黑", "midnight", "graphite"),
    "白": ("white", "白"),
    "銀": ("silver", "銀", "银"),
    "藍": ("blue", "藍", "蓝", "navy"),
    "綠": ("green", "綠", "绿", "mint", "sage"),
    "紫": ("purple", "紫", "lavender", "violet"),
    "粉": ("pink", "粉"),
    "金": ("gold", "金"),
    "灰": ("grey", "gray", "灰"),
    "橙": ("orange", "橙", "橘"),
    "紅": ("red", "紅", "红"),
    "黃": ("yellow", "黃", "黄"),
    "鈦": ("titanium", "鈦", "钛"),
    "原色": ("natural", "原色"),
    "沙漠": ("desert", "沙漠"),
    "星光": ("starlight", "星光"),
}


def colours_asked(text: str, offered: tuple[str, ...] = ()) -> list[str]:
    """Colour stems the question names ("黑" for 黑/black/太空黑…); exact catalogue colour names
    first when the text names one of `offered`."""
    exact = [c for c in offered if c in text or c.rstrip("色") in text]
    if exact:
        return exact
    low = text.lower()
    stems = [
        stem
        for stem, words in _COLOUR_WORDS.items()
        if any(re.search(rf"(?<![a-z]){re.escape(w)}", low) for w in words)
    ]
    return stems


def colour_matches(colour: str, asked: list[str]) -> bool:
    return any(a in colour or colour in a for a in asked)


OsType = Literal["android", "ios"]
DeviceType = Literal["smartphone", "tablet", "wearable"]


def os_type(text: str, device: DeviceRef | None = None) -> OsType | None:
    if re.search(r"(?i)iphone|ipad|ios|apple|蘋果|苹果|愛瘋|哀鳳", text):
        return "ios"
    if re.search(
        r"(?i)android|安卓|samsung|三星|pixel|google|小米|xiaomi|oppo|vivo|sony|asus", text
    ):
        return "android"
    return device.os_type if device and device.os_type in ("android", "ios") else None  # type: ignore[return-value]


def device_type(text: str) -> DeviceType | None:
    low = text.lower()
    if re.search(r"平板|tablet|ipad", low):
        return "tablet"
    if re.search(r"手錶|手表|智慧錶|穿戴|watch|wearable", low):
        return "wearable"
    if re.search(r"手機|手机|phone|smartphone|機種|机型", low):
        return "smartphone"
    return None


_WAN = r"(\d+(?:\.\d+)?|[一二兩两三四五六七八九十]+)\s*(萬|万|千|k|K)?"


def _amount(value: str, unit: str | None) -> int | None:
    try:
        number = float(value)
    except ValueError:
        parsed = number_word(value)
        if parsed is None:
            return None
        number = float(parsed)
    scale = {"萬": 10000, "万": 10000, "千": 1000, "k": 1000, "K": 1000}.get(unit or "", 1)
    amount = int(number * scale)
    return amount if amount >= 1000 else None


_RANGE = re.compile(rf"{_WAN}\s*(?:到|至|~|-|–|to)\s*{_WAN}")
_CEILING = (
    re.compile(rf"{_WAN}\s*(?:元|塊|块|NT\$?)?\s*(?:以下|以內|以内|內|内|之內|左右)"),
    re.compile(
        rf"(?i)(?:under|below|less than|within|max|up to|budget(?: of| is)?)\s*(?:NT\$)?\s*{_WAN}"
    ),
    re.compile(rf"(?:預算|预算|不超過|不超过|低於|低于)\s*(?:NT\$)?\s*{_WAN}"),
)


def price_range(text: str) -> tuple[int, int] | None:
    """NT$ (min, max) from "兩萬以下", "1萬到2萬", "under 20k", "預算 15000"."""
    if m := _RANGE.search(text):
        low, high = _amount(m.group(1), m.group(2) or m.group(4)), _amount(m.group(3), m.group(4))
        if low is not None and high is not None and low <= high:
            return (low, high)
    for pattern in _CEILING:
        if m := pattern.search(text):
            high = _amount(m.group(1), m.group(2))
            if high is not None:
                return (0, high)
    return None


_PRIORITIES = {
    "camera": ("拍照", "相機", "相机", "攝影", "摄影", "鏡頭", "camera", "photo"),
    "gaming": ("遊戲", "游戏", "打game", "手遊", "手游", "電競", "gaming", "game"),
    "battery": ("電池", "电池", "續航", "续航", "電量", "battery"),
    "budget": ("便宜", "平價", "平价", "預算", "预算", "cheap", "budget", "affordable"),
    "business": ("商務", "商务", "business", "work"),
    "large_screen": ("大螢幕", "大屏", "大螢", "big screen", "large screen"),
}


def priorities(text: str) -> list[str]:
    low = text.lower()
    return [p for p, words in _PRIORITIES.items() if any(w in low for w in words)]
