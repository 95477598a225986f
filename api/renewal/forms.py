"""The printable application form of a submitted renewal (seed 000 Sprint 6: 列印/匯出申辦單).

A self-contained HTML page (inline print CSS, no scripts, no external assets) the store prints
from the browser and the customer signs. Everything comes from the completed record in the
service database (step 10's summary plus the reservation), so the form can be printed again
long after the session's checkpoints expired. Every value is HTML-escaped and any national ID
in it is masked.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.services import Principal
from api.renewal.history import masked_customer
from api.renewal.services import may_touch
from core.db.models import RenewalRecord, RenewalStatus, Store, User
from core.db.repositories.renewal import RenewalRecordRepository
from core.db.repositories.stats import TAIPEI_OFFSET
from core.errors import Conflict, Forbidden
from core.national_id import mask_in_text

RENEWAL_TYPES = {"single": "單純續約", "with_device": "續約搭配裝置"}
COST_LINES = (
    ("monthly_fee", "月租費"),
    ("contract_months", "合約期數（月）"),
    ("device_contract_price", "裝置專案價"),
    ("device_discount", "裝置折扣"),
    ("upfront_payment", "應付金額（首付）"),
    ("first_year_total", "第一年總費用"),
    ("contract_total", "合約總費用"),
    ("early_termination_fee", "提前解約金"),
)
STYLE = """
body{font-family:"Noto Sans TC","Microsoft JhengHei",sans-serif;margin:2em;color:#000}
h1{font-size:1.5em;margin:0 0 .2em}table{border-collapse:collapse;width:100%;margin:.6em 0}
th,td{border:1px solid #444;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eee;width:28%}.sign{display:flex;gap:4em;margin-top:3em}
.sign div{flex:1;border-top:1px solid #000;padding-top:.3em}
@media print{body{margin:1cm}button{display:none}}
"""


def _text(value: Any) -> str:
    """Escaped, ID-masked text of a value; lists joined, None as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return "、".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return "、".join(f"{_text(k)}: {_text(v)}" for k, v in value.items()) or "—"
    return html.escape(mask_in_text(str(value)))


def _money(value: Any) -> str:
    return f"NT${int(value):,}" if isinstance(value, int | float) else _text(value)


def _section(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{html.escape(name)}</th><td>{cell}</td></tr>" for name, cell in rows)
    return f"<h2>{html.escape(title)}</h2><table>{body}</table>"


def _local(moment: datetime | None) -> str:
    return "—" if moment is None else (moment + TAIPEI_OFFSET).strftime("%Y-%m-%d %H:%M")


def application_form_html(record: RenewalRecord, store: Store | None, staff: User | None) -> str:
    """The form for one completed record (pure: the record, its store and its staff member)."""
    chosen = record.selections or {}
    customer = chosen.get("customer") or {}
    line = chosen.get("line") or {}
    device = chosen.get("device")
    plan = chosen.get("plan") or {}
    costs = chosen.get("costs") or {}
    reservation = chosen.get("reservation") or {}
    renewal_type = chosen.get("renewal_type")
    sections = [
        _section(
            "申辦資訊",
            [
                ("申辦編號", _text(record.id)),
                ("流程編號", _text(record.session_id)),
                ("申辦時間", _local(record.completed_at)),
                ("門市", _text(f"{store.name}（{store.store_id}）" if store else record.store_id)),
                ("門市地址／電話", _text(f"{store.address} {store.phone}" if store else None)),
                ("經辦人員", _text(f"{staff.display_name}（{staff.username}）" if staff else None)),
            ],
        ),
        _section(
            "客戶資料",
            [
                ("客戶姓名", _text(customer.get("name"))),
                ("身分證字號", _text(masked_customer(record))),
                ("門號", _text(record.phone_number or line.get("phone_number"))),
                ("原方案", _text(line.get("current_plan"))),
                ("原合約到期日", _text(line.get("contract_end_date"))),
            ],
        ),
        _section(
            "申辦內容",
            [
                ("續約類型", _text(RENEWAL_TYPES.get(str(renewal_type), renewal_type))),
                ("方案", _text(f"{plan.get('name')}（{plan.get('plan_id')}）" if plan else None)),
                ("合約期數", _text(plan.get("contract_period"))),
                ("贈品", _text(plan.get("gifts"))),
                ("方案特色", _text(plan.get("features"))),
                (
                    "裝置",
                    "—"
                    if not device
                    else _text(
                        " ".join(
                            str(device.get(k) or "") for k in ("brand", "model", "storage", "color")
                        ).strip()
                    ),
                ),
                ("裝置預留編號", _text(reservation.get("reservation_id"))),
                ("預留期限", _text(reservation.get("reserved_until"))),
            ],
        ),
        _section(
            "費用",
            [
                (
                    label,
                    _text(costs.get(key)) if key == "contract_months" else _money(costs.get(key)),
                )
                for key, label in COST_LINES
            ],
        ),
    ]
    title = f"續約申辦單 No. {record.id}"
    return (
        '<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        + "".join(sections)
        + '<div class="sign"><div>客戶簽名</div><div>經辦人員簽章</div><div>日期</div></div>'
        + "</body></html>"
    )


class ApplicationForms:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def render(self, principal: Principal, session_id: str) -> str:
        """404 unknown, 403 not the caller's (same rule as the session), 409 NOT_SUBMITTED."""
        async with self.sessions() as db:
            record = await RenewalRecordRepository(db).require(session_id)
            owner = {"staff_id": str(record.staff_id), "store_id": record.store_id}
            if not may_touch(principal, owner):
                raise Forbidden("this renewal belongs to another staff member")
            if record.status != RenewalStatus.COMPLETED:
                raise Conflict(
                    f"the renewal is {record.status}: only a submitted renewal has a form",
                    code="NOT_SUBMITTED",
                    outcome=record.status,
                )
            store = await db.get(Store, record.store_id)
            staff = await db.get(User, record.staff_id)
        return application_form_html(record, store, staff)
