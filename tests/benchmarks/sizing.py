"""docs/sizing.md's tables: API instances (2-core boxes) and Redis primaries for N staff and M
concurrent chats, from the CPU and Redis memory per request `bench_scale_out` measured.

Run: .venv/bin/python -m tests.benchmarks.sizing   (or bench_scale_out --sizing)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CHAT_TURNS = 6  # messages per chat before the customer leaves and another one opens a chat


@dataclass
class Sizing:
    """The assumptions of docs/sizing.md and the measured CPU per request they are applied to
    (bench_scale_out, 2026-12-04: upper ends of the measured ranges)."""

    click_ms: float = 17.0  # serving CPU per renewal click (API + MCP)
    turn_ms: float = 65.0  # serving CPU per AI chat turn
    redis_click_ms: tuple[float, float] = (0.7, 1.0)  # primaries' CPU per click: one / cluster
    redis_turn_ms: tuple[float, float] = (6.5, 10.0)  # primaries' CPU per chat turn
    journey_kb: float = 150.0  # Redis memory a renewal journey leaves
    chat_kb: float = 260.0  # Redis memory a chat (CHAT_TURNS messages) leaves
    clicks_per_staff_min: float = 2.0
    clicks_per_journey: float = 13.0
    messages_per_chat_min: float = 2.0
    busy_hours: float = 8.0  # hours a day at that rate
    retention_hours: float = 24.0  # CHECKPOINT_TTL_SECONDS; customer streams keep 24 h
    box_cores: float = 2.0
    utilisation: float = 0.6  # of a box's cores
    instances_per_box: int = 2
    primary_share: float = 0.5  # of one core, per Redis primary
    primary_gb: float = 4.0  # data per primary (half of an 8 GB box: fork, buffers)

    def need(self, staff: int, chats: int) -> tuple[int, int, int, float, float, float]:
        """(boxes, API instances, Redis shards, serving cores, Redis cores, Redis GB)."""
        clicks = staff * self.clicks_per_staff_min / 60
        turns = chats * self.messages_per_chat_min / 60
        cores = (clicks * self.click_ms + turns * self.turn_ms) / 1000
        boxes = max(2, math.ceil(cores / (self.box_cores * self.utilisation)))
        one, many = ((clicks * c + turns * t) / 1000 for c, t in
                     zip(self.redis_click_ms, self.redis_turn_ms, strict=True))  # fmt: skip
        redis = one if one <= self.primary_share else many
        kept = min(self.busy_hours, self.retention_hours) * 3600
        gb = (clicks / self.clicks_per_journey * kept * self.journey_kb
              + turns / CHAT_TURNS * kept * self.chat_kb) / 1024**2  # fmt: skip
        shards = max(1, math.ceil(redis / self.primary_share), math.ceil(gb / self.primary_gb))
        return boxes, boxes * self.instances_per_box, shards, cores, redis, gb


def sizing_table(sizing: Sizing, staff: list[int], chats: list[int]) -> str:
    """Markdown: API instances (boxes) and Redis shards for each (staff, concurrent chats)."""
    lines = ["| staff \\ concurrent chats | " + " | ".join(map(str, chats)) + " |",
             "|---|" + "---|" * len(chats)]  # fmt: skip
    for n in staff:
        cells = []
        for m in chats:
            boxes, instances, shards, cores, redis, gb = sizing.need(n, m)
            cells.append(f"**{instances}** ({boxes}) · **{shards}** "
                         f"<br>{cores:.1f} / {redis:.2f} c, {gb:.0f} GB")  # fmt: skip
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_tables() -> None:
    for hours in (24.0, 1.0):
        print(f"\nRedis keeps a journey's and a chat's keys {hours:g} h:\n")
        print(sizing_table(Sizing(retention_hours=hours), [50, 200, 1000, 2000, 5000],
                           [0, 100, 500, 1000, 2000, 5000]))  # fmt: skip


if __name__ == "__main__":
    print_tables()
