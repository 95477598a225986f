"""A small linter for SQL meant for Oracle Database 19c (the seed's production target).

It reads SQL text (compiled DDL, compiled queries, `alembic upgrade --sql` output) and reports:
identifiers longer than 30 characters (the pre-12.2 limit, and still the safe one) or longer
than 128, Oracle reserved words used as identifiers, quoted identifiers (SQLAlchemy quotes
reserved or mixed-case names, which then must be quoted forever), column types 19c lacks
(BOOLEAN, JSON, ...) or VARCHAR2 without a length, and LIMIT / bare OFFSET / `IS 1` syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import oracle

SAFE_IDENTIFIER_LENGTH = 30
MAX_IDENTIFIER_LENGTH = 128

# Oracle Database SQL Language Reference (19c), "Oracle SQL Reserved Words", plus the words the
# brief names; SQLAlchemy's own (shorter) list is merged in below.
_RESERVED_TEXT = """
    ACCESS ADD ALL ALTER AND ANY AS ASC AUDIT BETWEEN BY CHAR CHECK CLUSTER COLUMN
    COLUMN_VALUE COMMENT COMPRESS CONNECT CREATE CURRENT DATE DECIMAL DEFAULT DELETE DESC
    DISTINCT DROP ELSE EXCLUSIVE EXISTS FILE FLOAT FOR FROM GRANT GROUP HAVING IDENTIFIED
    IMMEDIATE IN INCREMENT INDEX INITIAL INSERT INTEGER INTERSECT INTO IS LEVEL LIKE LOCK LONG
    MAXEXTENTS MINUS MLSLABEL MODE MODIFY NESTED_TABLE_ID NOAUDIT NOCOMPRESS NOT NOWAIT NULL
    NUMBER OF OFFLINE ON ONLINE OPTION OR ORDER PCTFREE PRIOR PUBLIC RAW RENAME RESOURCE
    REVOKE ROW ROWID ROWNUM ROWS SELECT SESSION SET SHARE SIZE SMALLINT START SUCCESSFUL
    SYNONYM SYSDATE TABLE THEN TO TRIGGER UID UNION UNIQUE UPDATE USER VALIDATE VALUES VARCHAR
    VARCHAR2 VIEW WHENEVER WHERE WITH
"""
ORACLE_RESERVED = frozenset(_RESERVED_TEXT.split()) | frozenset(
    word.upper() for word in oracle.base.RESERVED_WORDS
)

_TYPES_TEXT = (
    "VARCHAR2 NVARCHAR2 CHAR NCHAR NUMBER NUMERIC INTEGER SMALLINT FLOAT BINARY_FLOAT "
    "BINARY_DOUBLE CLOB NCLOB BLOB TIMESTAMP DATE RAW INTERVAL"
)
ALLOWED_COLUMN_TYPES = frozenset(_TYPES_TEXT.split())
_CONSTRAINT_STARTS = frozenset({"CONSTRAINT", "PRIMARY", "FOREIGN", "UNIQUE", "CHECK"})


def identifier_problems(name: str, where: str) -> list[str]:
    """Problems of one identifier (as written in the schema: table, column, index, ...)."""
    problems = []
    if len(name) > MAX_IDENTIFIER_LENGTH:
        problems.append(f"{where}: {name!r} is {len(name)} chars (> {MAX_IDENTIFIER_LENGTH})")
    elif len(name) > SAFE_IDENTIFIER_LENGTH:
        problems.append(f"{where}: {name!r} is {len(name)} chars (> {SAFE_IDENTIFIER_LENGTH})")
    if name.upper() in ORACLE_RESERVED:
        problems.append(f"{where}: {name!r} is an Oracle reserved word")
    if name != name.lower() and name != name.upper():
        problems.append(f"{where}: {name!r} is mixed case (would need quoting)")
    return problems


def metadata_problems(metadata: sa.MetaData) -> list[str]:
    """Check every name in `metadata` (tables, columns, constraints, indexes)."""
    problems: list[str] = []
    for table in metadata.tables.values():
        problems += identifier_problems(table.name, "table")
        for column in table.columns:
            problems += identifier_problems(column.name, f"column {table.name}")
            kind = column.type
            if isinstance(kind, sa.String) and not isinstance(kind, sa.Text) and not kind.length:
                problems.append(f"column {table.name}.{column.name}: String without a length")
        for constraint in table.constraints:
            if isinstance(constraint, sa.PrimaryKeyConstraint) and not constraint.columns:
                continue  # a table without a primary key still carries an empty one
            if isinstance(constraint.name, str):
                problems += identifier_problems(constraint.name, f"constraint on {table.name}")
            else:
                problems.append(f"constraint on {table.name} has no name: {constraint!r}")
        for index in table.indexes:
            if isinstance(index.name, str):
                problems += identifier_problems(index.name, f"index on {table.name}")
            else:
                problems.append(f"index on {table.name} has no name")
    return problems


def _strip_literals(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def _split_top_level(body: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in body:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def _create_table_bodies(sql: str) -> Iterable[tuple[str, str]]:
    for match in re.finditer(r"CREATE TABLE\s+([\w.\"]+)\s*\(", sql):
        start = depth = match.end() - 1
        depth = 0
        for pos in range(start, len(sql)):
            if sql[pos] == "(":
                depth += 1
            elif sql[pos] == ")":
                depth -= 1
                if depth == 0:
                    yield match.group(1), sql[start + 1 : pos]
                    break


def sql_problems(sql: str) -> list[str]:
    """Lint Oracle SQL text (DDL and/or queries)."""
    text = _strip_literals(sql)
    problems: list[str] = []
    for quoted in re.findall(r'"([^"]+)"', text):
        problems.append(f'quoted identifier "{quoted}" (reserved word or mixed case?)')

    names: list[tuple[str, str]] = []
    for table, body in _create_table_bodies(text):
        names.append((table, "table"))
        for element in _split_top_level(body):
            words = element.split()
            if not words or words[0].upper() in _CONSTRAINT_STARTS:
                continue
            column = words[0]
            names.append((column, f"column {table}"))
            type_match = re.match(r"\s*\S+\s+([A-Za-z_0-9]+)(\s*\([^)]*\))?", element)
            if type_match is None:
                problems.append(f"column {table}.{column}: no type in {element!r}")
                continue
            type_name, args = type_match.group(1).upper(), type_match.group(2)
            if type_name not in ALLOWED_COLUMN_TYPES:
                problems.append(f"column {table}.{column}: type {type_name} not in Oracle 19c")
            if type_name in {"VARCHAR2", "NVARCHAR2", "RAW"} and not args:
                problems.append(f"column {table}.{column}: {type_name} without a length")
    for pattern, kind in (
        (r"\bCONSTRAINT\s+(\w+)", "constraint"),
        (r"\bCREATE\s+(?:UNIQUE\s+|BITMAP\s+)?INDEX\s+(\w+)", "index"),
        (r"\bALTER\s+TABLE\s+(\w+)", "table"),
        (r"\bADD\s+(?!CONSTRAINT\b)(\w+)\s+[A-Z]", "added column"),
        (r"\bRENAME\s+(?:COLUMN\s+\w+\s+)?TO\s+(\w+)", "renamed"),
        (r"\bAS\s+(\w+)\b(?!\s*\()", "label"),
        (r"\bCREATE\s+SEQUENCE\s+(\w+)", "sequence"),
    ):
        names += [(name, kind) for name in re.findall(pattern, text, flags=re.IGNORECASE)]
    not_labels = ALLOWED_COLUMN_TYPES | {"IDENTITY"}
    for name, kind in names:
        if kind == "label" and name.upper() in not_labels:
            continue  # CAST(x AS DATE), GENERATED ... AS IDENTITY
        problems += identifier_problems(name.strip('"'), kind)

    for pattern, message in (
        (r"\bLIMIT\b", "LIMIT is not Oracle syntax (use FETCH FIRST)"),
        (r"\bOFFSET\s+(?!\S+\s+ROWS\b)\S+", "OFFSET without ROWS (not Oracle syntax)"),
        (r"\bIS\s+(?:NOT\s+)?(?:0|1|true|false)\b", "IS <literal> is not Oracle syntax"),
        (r"=\s*(?:true|false)\b", "boolean literal comparison (no SQL BOOLEAN before 23ai)"),
        (r"\bRETURNING\b[^;/]*\bINTO\s+:", "RETURNING INTO a bind cannot run in a script"),
        (r"\bAUTOINCREMENT\b|\bSERIAL\b", "auto-increment syntax (use IDENTITY)"),
    ):
        if re.search(pattern, text, flags=re.IGNORECASE):
            problems.append(message)
    return problems
