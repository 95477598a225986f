"""Column types that render the same meaning on SQLite, PostgreSQL and Oracle 19c+.

Why custom types: SQLAlchemy picks Oracle types from the *server version* it connects to
(BOOLEAN and JSON only from 23ai / 21c), and an offline dialect (`alembic --sql`) assumes the
newest server. Our target is Oracle 19c, so the Oracle rendering is pinned here instead:

* `Flag` - native BOOLEAN on PostgreSQL/SQLite; on Oracle NUMERIC(1, 0) (stored as NUMBER(1))
  plus `CHECK (col IN (0, 1))`, bound as 0/1.
* `JsonDoc` - JSONB on PostgreSQL, JSON (text) on SQLite; CLOB plus `CHECK (col IS JSON)` on
  Oracle (19c has no JSON type; IS JSON exists since 12.1.0.2).
* `UtcDateTime` - timezone-aware in Python everywhere; TIMESTAMPTZ on PostgreSQL; on SQLite and
  Oracle a plain TIMESTAMP holding UTC (python-oracledb ignores tzinfo when binding, so a
  TIMESTAMP WITH TIME ZONE column would silently store whatever wall clock it was given).
* `BigId` - BIGINT / NUMBER(19) identity keys; INTEGER on SQLite, where only INTEGER PRIMARY KEY
  auto-increments.

The Oracle-only CHECK constraints are *type bound* (like SQLAlchemy's own Boolean/Enum checks):
the type adds them when its column joins a table, so Alembic scripts that say `sbt.Flag()` get
them too, and autogenerate never renders them twice. This leans on SQLAlchemy internals
(`_set_parent`, `_create_rule`, `_type_bound`); tests/db/test_migrations.py and test_oracle.py
exercise every path (create_table, add_column, SQLite batch copies) to catch a changed upgrade.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import oracle, postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _only_on_oracle(target: Any, **_kw: Any) -> bool:
    """`_create_rule` of our CHECKs: `target` is a DDL compiler or an Alembic impl; both
    carry the dialect. The same hook SQLAlchemy's Boolean/Enum use, so CREATE TABLE, Alembic's
    add_column and batch table copies all skip the CHECK off Oracle."""
    return bool(target.dialect.name == "oracle")


def _add_oracle_check(column: sa.Column[Any], table: sa.Table, suffix: str, sql: str) -> None:
    """Attach a CHECK that only Oracle's DDL renders (the type is native elsewhere)."""
    check = sa.CheckConstraint(
        sql.format(col=column.name),
        name=f"{column.name}_{suffix}",
        _create_rule=_only_on_oracle,
        _type_bound=True,
    )
    table.append_constraint(check)


class _OracleChecked(TypeDecorator[Any]):
    """Base for decorators that add an Oracle-only CHECK on their column."""

    impl: TypeEngine[Any] | type[TypeEngine[Any]] = sa.String
    cache_ok = True
    _check_suffix = ""
    _check_sql = ""

    def _set_parent(self, parent: Any, outer: bool = False, **kw: Any) -> None:
        super()._set_parent(parent, outer=outer, **kw)
        if isinstance(parent, sa.Column):
            parent._on_table_attach(self._attach_check)

    def _attach_check(self, column: sa.Column[Any], table: sa.Table) -> None:
        _add_oracle_check(column, table, self._check_suffix, self._check_sql)


class Flag(_OracleChecked):
    """A boolean: BOOLEAN where native, NUMBER(1) 0/1 with a CHECK on Oracle (19c target)."""

    impl = sa.Boolean(create_constraint=False)
    cache_ok = True
    _check_suffix = "bool"
    _check_sql = "{col} IN (0, 1)"

    @property
    def python_type(self) -> type[bool]:
        return bool

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "oracle":
            return dialect.type_descriptor(oracle.NUMBER(1, 0, asdecimal=False))
        return dialect.type_descriptor(sa.Boolean(create_constraint=False))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "oracle":
            return 1 if value else 0
        return bool(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> bool | None:
        return None if value is None else bool(value)

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        return self


class JsonDoc(_OracleChecked):
    """A JSON document (dict/list); CLOB with an IS JSON check on Oracle 19c."""

    impl = sa.JSON(none_as_null=True)
    cache_ok = True
    _check_suffix = "json"
    _check_sql = "{col} IS JSON"

    @property
    def python_type(self) -> type[Any]:
        return object

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "oracle":
            return dialect.type_descriptor(oracle.CLOB())
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB(none_as_null=True))
        return dialect.type_descriptor(sa.JSON(none_as_null=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "oracle":
            return value
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if dialect.name == "oracle" and value is not None:
            text = value if isinstance(value, str) else value.read()
            return json.loads(text)
        return value


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime in Python; UTC on the wire. Naive values are refused, not guessed."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True))
        if dialect.name == "oracle":
            return dialect.type_descriptor(oracle.TIMESTAMP(timezone=False))
        return dialect.type_descriptor(sa.DateTime(timezone=False))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime (UTC)")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite aggregates (min/max) bypass DATETIME parsing
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_now() -> datetime:
    """Aware 'now' used for every default timestamp (python-side, so all backends agree)."""
    return datetime.now(UTC)
