"""What the auto-replies need to know about the agents' side: are all agents at capacity, and
where does a chat stand in the queue.

"All agents busy" counts agents (role `agent`, active) whose presence is `online` (set at login,
cleared at logout): each may hold `max_sessions` live chats (their claims in Redis, see
takeover.py). Admins are supervisors and are not counted as free hands. Nobody online on duty
also means nobody can answer now, so it counts as busy too.

Both answers are one tenant's: its agents, and its place in the queue among its own waiting
chats (the queue index holds every tenant's, each summary names its tenant).
"""

from __future__ import annotations

from typing import Protocol

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models.accounts import UserRole, UserStatus
from core.db.repositories.accounts import UserRepository
from graphs.supervision.takeover import ClaimStore, SessionIndex


class Availability(Protocol):
    async def all_agents_busy(self, tenant_id: str) -> bool: ...

    async def queue_position(self, session_name: str, tenant_id: str) -> int:
        """1 = next in line among the tenant's waiting chats; a chat not yet queued is placed
        after everyone waiting."""
        ...


class AgentAvailability:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], redis: Redis, prefix: str):
        self.sessions = sessions
        self.redis = redis
        self.claims = ClaimStore(redis, prefix)
        self.index = SessionIndex(redis, prefix)

    async def all_agents_busy(self, tenant_id: str) -> bool:
        async with self.sessions() as db:
            online = await UserRepository(db).list_agents(
                tenant_id=tenant_id, status=UserStatus.ONLINE.value
            )
        for agent in online:
            if agent.role != UserRole.AGENT.value or not agent.is_active:
                continue
            held = await self.claims.sessions_of(agent.username, tenant=tenant_id)
            if len(held) < agent.max_sessions:
                return False
        return True

    async def queue_position(self, session_name: str, tenant_id: str) -> int:
        listed = await self.index.list(
            "pending_manual", now=0, offset=0, limit=1_000_000, tenant=tenant_id
        )
        names = [str(s["session_name"]) for s in listed["items"]]
        return names.index(session_name) + 1 if session_name in names else len(names) + 1
