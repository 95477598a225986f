"""How a back-office server gets its data and checks the identifiers it is given."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from core import national_id
from core.errors import InvalidInput, NotFound
from core.settings import Settings, get_settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.records import Customer, Device, PhoneLine, Plan
from mcp_servers.backoffice.store import BackOfficeStore, load

PHONE = re.compile(r"^09[0-9]{8}$")
CUSTOMER_ID = re.compile(r"^C[0-9]{6}$")
PLAN_ID = re.compile(r"^P[0-9]{3,}$")
DEVICE_ID = re.compile(r"^D[0-9]{3,}$")
STORE_ID = re.compile(r"^S[0-9]{3}$")


def open_store(settings: Settings) -> BackOfficeStore:
    """The demo data store; an empty one is filled from the seed, so a server always has data."""
    store = BackOfficeStore(settings.backoffice_db_path)
    if "seed" not in store.meta():
        load(generate(settings.demo_seed, date.today()), settings.backoffice_db_path)
    return store


@lru_cache(maxsize=1)
def default_store() -> BackOfficeStore:
    return open_store(get_settings())


def today() -> date:
    return date.today()


def valid_national_id(value: str) -> str:
    normal = national_id.normalise(value)
    if not national_id.is_valid(normal):
        raise InvalidInput("身分證字號格式或檢查碼錯誤 / invalid national ID")
    return normal


def _check(pattern: re.Pattern[str], value: str, what: str) -> str:
    value = value.strip()
    if not pattern.match(value):
        raise InvalidInput(f"{what} 格式錯誤 / invalid {what}: {value[:20]!r}")
    return value


def customer_by_id(store: BackOfficeStore, customer_id: str) -> Customer:
    found = store.customer(_check(CUSTOMER_ID, customer_id, "customer_id"))
    if found is None:
        raise NotFound(f"查無客戶 {customer_id} / customer not found")
    return found


def line_by_number(store: BackOfficeStore, phone_number: str) -> PhoneLine:
    found = store.line(_check(PHONE, phone_number, "phone_number"))
    if found is None:
        raise NotFound(f"查無門號 {phone_number} / phone number not found")
    return found


def plan_by_id(store: BackOfficeStore, plan_id: str) -> Plan:
    found = store.plan(_check(PLAN_ID, plan_id, "plan_id"))
    if found is None:
        raise NotFound(f"查無方案 {plan_id} / plan not found")
    return found


def device_by_id(store: BackOfficeStore, device_id: str) -> Device:
    found = store.device(_check(DEVICE_ID, device_id, "device_id"))
    if found is None:
        raise NotFound(f"查無設備 {device_id} / device not found")
    return found


def store_id_checked(store: BackOfficeStore, store_id: str) -> str:
    store_id = _check(STORE_ID, store_id, "store_id")
    if store.store(store_id) is None:
        raise NotFound(f"查無門市 {store_id} / store not found")
    return store_id
