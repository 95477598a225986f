"""The Azure AI Search fake of tests/search, taught what the knowledge index needs: documents
per index under the key field the schema names, a text side (terms of the query found in the
searchable fields, best first) and a vector side (exact cosine over the vector field, scored as
Azure scores cosine: 1 / (2 - cos)). `$filter` is evaluated by the same OData subset evaluator,
so a request without the tenant filter really sees every tenant's documents.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from tests.search.azure_fake import API_KEY, FakeAzureSearch, Recorded
from tests.search.odata_eval import compile_filter

__all__ = ["API_KEY", "FakeKnowledgeSearch"]

_WORD = re.compile(r"[a-z0-9]+")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def terms(text: str) -> set[str]:
    """Latin words and CJK bigrams (single characters for one-character runs)."""
    lowered = text.lower()
    found = set(_WORD.findall(lowered))
    for run in _CJK_RUN.findall(lowered):
        found |= {run[i : i + 2] for i in range(len(run) - 1)} or {run}
    return found


@dataclass
class FakeKnowledgeSearch(FakeAzureSearch):
    collections: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def index_docs(self, index: str) -> dict[str, dict[str, Any]]:
        return self.collections.setdefault(index, {})

    def _key_field(self, index: str) -> str:
        fields = (self.indexes.get(index) or {}).get("fields", [])
        return next((f["name"] for f in fields if f.get("key")), "id")

    def _searchable(self, index: str) -> list[str]:
        fields = (self.indexes.get(index) or {}).get("fields", [])
        return [f["name"] for f in fields if f.get("searchable") and f["type"] == "Edm.String"]

    def route(self, req: Recorded) -> tuple[int, Any]:
        if req.headers.get("api-key") != API_KEY:
            return 403, {"error": {"code": "Forbidden", "message": "bad api-key"}}
        if m := re.fullmatch(r"/indexes\('([^']+)'\)/docs/search\.index", req.path):
            return 200, {"value": [self._apply_to(m.group(1), a) for a in req.body["value"]]}
        if m := re.fullmatch(r"/indexes\('([^']+)'\)/docs/search\.post\.search", req.path):
            if m.group(1) not in self.indexes:
                return 404, {"error": {"code": "NotFound", "message": "no such index"}}
            return 200, self._search_in(m.group(1), req.body)
        return super().route(req)

    def _apply_to(self, index: str, action: dict[str, Any]) -> dict[str, Any]:
        docs = self.index_docs(index)
        kind = action["@search.action"]
        doc = {k: v for k, v in action.items() if k != "@search.action"}
        key = doc[self._key_field(index)]
        if kind == "delete":
            docs.pop(key, None)
        else:
            docs[key] = {**docs.get(key, {}), **doc}
        return {"key": key, "status": True, "errorMessage": None, "statusCode": 200}

    def _search_in(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        docs = list(self.index_docs(index).values())
        if body.get("filter"):
            admits = compile_filter(body["filter"])
            docs = [d for d in docs if admits(d)]
        text = body.get("search")
        scored: list[tuple[float, dict[str, Any]]]
        if body.get("vectorQueries"):
            wanted = body["vectorQueries"][0]
            vector, name = wanted["vector"], wanted["fields"]
            scored = [(1.0 / (2.0 - _cosine(vector, d[name])), d) for d in docs if d.get(name)]
            scored.sort(key=lambda item: -item[0])
            scored = scored[: wanted.get("k") or 50]
        elif text and text != "*":
            asked = terms(text)
            fields = self._searchable(index)
            scored = []
            for d in docs:
                found = terms(" ".join(str(d.get(f) or "") for f in fields))
                if hits := len(asked & found):
                    scored.append((float(hits), d))
            scored.sort(key=lambda item: -item[0])
        else:
            scored = [(1.0, d) for d in docs]
        top = body.get("top")
        selected = scored if top is None else scored[:top]
        names = [f.strip() for f in (body.get("select") or "").split(",") if f.strip()]
        value = [{"@search.score": score, **{f: d.get(f) for f in names or d}}
                 for score, d in selected]  # fmt: skip
        result: dict[str, Any] = {"value": value}
        if body.get("count"):
            result["@odata.count"] = len(scored)
        return result


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0
