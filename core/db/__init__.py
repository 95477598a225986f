"""The service database: models, async engine, repositories, migrations, demo seed.

Portable across SQLite (dev), PostgreSQL (tests, deployments) and Oracle 19c+ (the seed's
production database); see `core.db.types` for how booleans, JSON and timestamps are mapped and
`core.db.migrate` for commands and how later issues add tables.
"""

from core.db.engine import async_url, create_engine, session_factory
from core.db.models import Base

__all__ = ["Base", "async_url", "create_engine", "session_factory"]
