"""`bench_search --typed N`: the renewal step's typed searches, before and after issue 24 part 3.

N list-plans searches with typed words as the renewal step sends them
(`graphs.renewal.plans.search_query`, generated customers, the words of `bench_api`'s typing
staff or a dev-set query) on the real catalogue: before, the whole text embedded as one vector;
now, the typed words alone (the step's part cached by the search without typed words, as the
service has it). Tokens embedded per search by part, and CPU. Split from bench_search.py (one
concern per module); run through it:
`.venv/bin/python -m tests.benchmarks.bench_search --typed 300`.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import numpy as np

from core.embeddings import E5Embedder
from core.settings import get_settings
from evals.retrieval import load_devset
from graphs.renewal.plans import DEVICE_WORDS, device_choice, search_query
from mcp_servers.backoffice.device_fit import fits_device
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.records import Customer, PhoneLine
from mcp_servers.promotion.search.constraints import ParsedQuery
from mcp_servers.promotion.search.dense_query import QueryVectors
from mcp_servers.promotion.search.models import SearchFilters
from mcp_servers.promotion.search.parser import parse_query
from mcp_servers.promotion.search.query import shape_query
from mcp_servers.promotion.search.retriever import LocalHybridRetriever
from tests.benchmarks.bench_api_journeys import free_words
from tests.benchmarks.bench_search import percentile, timed_cpu


class Joint(QueryVectors):
    """The query vector as it was: the whole normalised text, typed and context words, as one."""

    def of(self, parsed: ParsedQuery) -> np.ndarray:
        return self.embed(parsed.text)


def renewal_state(line: PhoneLine, customer: Customer, device: str) -> dict[str, Any]:
    """What list-plans holds for this line (the CRM's get_phone_details, step 5's answer)."""
    usage = {
        "data_used_gb": line.data_used_gb,
        "data_limit_gb": line.data_limit_gb,
        "voice_used_minutes": line.voice_used_min,
        "voice_limit_minutes": line.voice_limit_min,
    }
    contract = {
        "plan_id": line.plan_id,
        "plan_type": line.plan_type,
        "tenure_months": line.tenure_months,
        "contract_end_date": str(line.contract_end),
    }
    billing = {"current_month_fee": line.monthly_fee}
    return {
        "line": {"contract_info": contract, "usage_info": usage, "billing_info": billing},
        "customer": {"identities": list(customer.identities)},
        "renewal_type": "single" if device == "none" else "with_device",
        "device_type": None if device == "none" else device,
    }


def typed_searches(embedder: E5Embedder, count: int, rng: random.Random) -> None:
    """`--typed`: the renewal step's typed searches, before and after, on the real catalogue."""
    office = generate(get_settings().demo_seed, date.today())
    owners = {c.customer_id: c for c in office.customers}
    lines = [line for line in office.lines if line.status == "active"]
    dev = [item.query for item in load_devset()]
    model, devices = embedder._get(), ("smartphone", "smartphone", "none", "tablet", "wearable")
    before = LocalHybridRetriever(embedder, query_cache_size=0)
    after = LocalHybridRetriever(embedder)
    before.query_vectors = Joint(embedder, cache_size=0)
    after.ensure_index_sync(office.plans)
    before._state = after._state

    def content(text: str) -> int:  # tokens of a part, without "query: ", <s> and </s>
        return int(model.token_count(text, True)) - int(model.token_count("", True))

    def cpu_of(fn: Callable[[], object]) -> float:
        return timed_cpu(fn)[1]

    rows: dict[str, list[float]] = defaultdict(list)
    for i in range(count):
        line, device = rng.choice(lines), rng.choice(devices)
        state: Any = renewal_state(line, owners[line.customer_id], device)
        typed = free_words(rng) if i % 2 else rng.choice(dev)
        choice: Any = device_choice(state)
        misfits = tuple(p.plan_id for p in office.plans if not fits_device(p, choice))
        query, context = search_query(state, typed)
        words = ["續約", DEVICE_WORDS.get(device_choice(state), "單純續約"), line.plan_type, typed]
        context = {**context, "renewal_type": "plain" if device == "none" else "with_device"}
        filters = SearchFilters(valid_on=date.today(), exclude_plan_ids=misfits)
        old_shape, shape = shape_query(" ".join(words), context), shape_query(query, context)
        untyped = shape_query(search_query(state, None)[0], context)
        after.search_sync(untyped.text, filters=filters.merged(untyped.filters))  # as served
        parsed, old = parse_query(shape.text), parse_query(old_shape.text)
        said, added = parsed.parts
        after.query_vectors._cache.pop(said, None)  # words typed for the first time
        for side, retriever, shaped in (("before", before, old_shape), ("after", after, shape)):
            parse_query.cache_clear()
            search = partial(
                retriever.search_sync, shaped.text, filters=filters.merged(shaped.filters)
            )
            rows[f"search CPU, {side}"].append(cpu_of(search))
        fresh = [t for t in after.query_vectors.texts(parsed) if t != added]  # added: cached
        rows["embedding CPU, before"].append(cpu_of(partial(embedder.embed_queries, [old.text])))
        rows["embedding CPU, after"].append(
            cpu_of(partial(embedder.embed_queries, fresh)) if fresh else 0.0
        )
        rows["tokens embedded, before"].append(model.token_count(old.text, True))
        rows["tokens embedded, after"].append(sum(model.token_count(t, True) for t in fresh))
        step = " ".join(words[:3]).lower()
        rows["  of which the step's words (續約 搭配手機 4G)"].append(content(step))
        rows["  of which words the context added"].append(content(added) - content(step))
        rows["  of which typed words"].append(content(said))
        constraint_tokens = content(said) - content(parse_query(said).residual)
        rows["    typed words that stated constraints"].append(constraint_tokens)
    print(f"\n{count} typed list-plans searches, {len(office.plans)} promotions (half bench_api's")
    print("typing vocabulary, half dev-set queries)\n")
    print("| per typed search | p50 | p95 | mean |\n|---|---|---|---|")
    for label, values in rows.items():
        cells = (percentile(values, 50), percentile(values, 95), statistics.mean(values))
        print(f"| {label} | " + " | ".join(f"{v:.1f}" for v in cells) + " |")
