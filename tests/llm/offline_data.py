"""The renewal context, usage and comparison that the offline model's tests feed it."""

from __future__ import annotations

from datetime import date
from typing import Any

from tools.llm import OfflineChatModel

CONTEXT: dict[str, Any] = {
    "store_id": "S001",
    "phone_number": "0912345678",
    "current_plan_id": "P001",
    "current_plan_name": "4G 精省 499",
    "remaining_contract_months": 6,
    "renewal_type": "with_device",
    "candidate_plans": [
        {"plan_id": "P010", "name": "5G 吃到飽 1399"},
        {"plan_id": "P011", "name": "5G 輕量 799"},
        {"plan_id": "P012", "name": "學生 599"},
    ],
    "selected_plan_id": "P011",
    "selected_device_model": "iPhone 16 Pro",
    "customer_usage": {"data_gb_per_month": 45, "voice_minutes_per_month": 120},
}
USAGE = CONTEXT["customer_usage"]
CUSTOMER = {"current_plan_id": "P001", "renewal_type": "with_device", "customer_usage": USAGE}
UPGRADE = {"current_plan_id": "P001", "remaining_contract_months": 6}
COMPARISON: dict[str, Any] = {
    "comparison_table": {
        "headers": ["項目", "5G 吃到飽 1399", "5G 輕量 799"],
        "rows": [
            ["月租費", "NT$1,399", "NT$799"],
            ["行動上網", "吃到飽（不限速）", "30GB，超量降速 1Mbps"],
            ["預估年費", "NT$16,788", "NT$9,588"],
        ],
    },
    "recommendation": {"best_for_customer": "P010", "reason": "足以涵蓋每月 45GB 的用量"},
    "cost_analysis": [
        {
            "plan_id": "P010",
            "monthly_fee": 1399,
            "expected_monthly_extra": 0,
            "annual_cost": 16788,
            "covers_usage": True,
        },
        {
            "plan_id": "P011",
            "monthly_fee": 799,
            "expected_monthly_extra": 0,
            "annual_cost": 9588,
            "covers_usage": False,
        },
    ],
}


def model(**kwargs: Any) -> OfflineChatModel:
    return OfflineChatModel(today=date(2026, 3, 2), **kwargs)
