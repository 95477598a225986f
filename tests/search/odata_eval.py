"""A small evaluator of the OData `$filter` subset our Azure backend emits, for the fake.

Grammar: or/and/not, parentheses, `field op literal` (eq ne lt le gt ge; numbers, strings,
true/false/null, ISO datetimes), `search.in(field, 'a|b', '|')` and `field/any(x: x eq 'v')`.
Anything else raises, so a filter the backend starts emitting that the fake cannot read fails
the test instead of being ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(
    r"\s*(\(|\)|,|:|'(?:[^']|'')*'|\d{4}-\d\d-\d\dT[\d:.]+Z|-?\d+(?:\.\d+)?|[A-Za-z_][\w.]*(?:/any)?)"
)
Doc = Mapping[str, Any]
Pred = Callable[[Doc, dict[str, Any]], bool]
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a is not None and b is not None and a < b,
    "le": lambda a, b: a is not None and b is not None and a <= b,
    "gt": lambda a, b: a is not None and b is not None and a > b,
    "ge": lambda a, b: a is not None and b is not None and a >= b,
}


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"cannot read OData at {text[pos:]!r}")
        out.append(match.group(1))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.toks[self.i]
        if expected is not None and tok != expected:
            raise ValueError(f"expected {expected!r}, got {tok!r}")
        self.i += 1
        return tok

    def expr(self) -> Pred:
        left = self.term()
        while self.peek() == "or":
            self.take()
            right, prev = self.term(), left
            left = lambda d, env, a=prev, b=right: a(d, env) or b(d, env)  # noqa: E731
        return left

    def term(self) -> Pred:
        left = self.factor()
        while self.peek() == "and":
            self.take()
            right, prev = self.factor(), left
            left = lambda d, env, a=prev, b=right: a(d, env) and b(d, env)  # noqa: E731
        return left

    def factor(self) -> Pred:
        tok = self.take()
        if tok == "not":
            inner = self.factor()
            return lambda d, env: not inner(d, env)
        if tok == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if tok == "search.in":
            self.take("(")
            field = self.take()
            self.take(",")
            values = _literal(self.take()).split(_literal(self.take(",") and self.take()))
            self.take(")")
            return lambda d, env: _value(d, env, field) in values
        if tok.endswith("/any"):
            field = tok[: -len("/any")]
            self.take("(")
            var = self.take()
            self.take(":")
            inner = self.expr()
            self.take(")")
            return lambda d, env: any(inner(d, {**env, var: v}) for v in d.get(field) or [])
        op, literal = self.take(), _literal(self.take())
        return lambda d, env: _OPS[op](_value(d, env, tok), literal)


def _literal(tok: str) -> Any:
    if tok.startswith("'"):
        return tok[1:-1].replace("''", "'")
    if tok in ("true", "false"):
        return tok == "true"
    if tok == "null":
        return None
    if re.fullmatch(r"\d{4}-\d\d-\d\dT.*Z", tok):
        return tok
    return float(tok)


def _value(doc: Doc, env: dict[str, Any], name: str) -> Any:
    value = env[name] if name in env else doc.get(name)
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def compile_filter(text: str) -> Callable[[Doc], bool]:
    parser = _Parser(text)
    predicate = parser.expr()
    if parser.peek() is not None:
        raise ValueError(f"trailing OData: {parser.toks[parser.i :]}")
    return lambda doc: predicate(doc, {})
