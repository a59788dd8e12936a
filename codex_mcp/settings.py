"""Configuration read from the environment (and the command line, which sets the same fields)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_BASE_URL = "https://api.openai.com/v1"
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
Transport = Literal["stdio", "http"]
MIN_RESULT_TOKENS = 1_000


class Settings(BaseSettings):
    """Everything the server and its API client need; each field maps to one environment variable."""

    model_config = SettingsConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    admin_key: SecretStr | None = Field(
        None,
        validation_alias="OPENAI_ADMIN_KEY",
        description="Admin key, sent as `Authorization: Bearer`. Without it the server starts and lists tools; calls "
        "say how to set it.",
    )
    base_url: str = Field(
        DEFAULT_BASE_URL,
        validation_alias="OPENAI_BASE_URL",
        description="API base URL (tests and local mocks point it elsewhere).",
    )
    demo: bool = Field(
        False,
        validation_alias="CODEX_MCP_DEMO",
        description="`1`: answer from the built-in demo organization (same as `--demo`).",
    )
    read_only: bool = Field(
        False,
        validation_alias="CODEX_MCP_READ_ONLY",
        description="`1`: tools that change the organization are left out of tools/list and refused if called "
        "(same as `--read-only`).",
    )
    toolsets: Annotated[tuple[str, ...], NoDecode] = Field(
        ("core", "insights"),
        validation_alias="CODEX_MCP_TOOLSETS",
        description="Comma-separated toolsets to serve, or `all` (same as `--toolsets`); unknown names are refused "
        "at start.",
    )
    dynamic_toolsets: bool = Field(
        False,
        validation_alias="CODEX_MCP_DYNAMIC_TOOLSETS",
        description="`1`: also serve codex_list_toolsets and codex_enable_toolset, so a model turns toolsets on as "
        "it needs them (same as `--dynamic-toolsets`).",
    )
    max_result_tokens: int = Field(
        20_000,
        ge=0,
        le=1_000_000,
        validation_alias="CODEX_MCP_MAX_RESULT_TOKENS",
        description="No tool result is larger (tokens estimated as UTF-8 bytes / 4); bigger answers are condensed "
        "with a note. `0`: no limit.",
    )
    log_level: LogLevel = Field(
        "INFO",
        validation_alias="CODEX_MCP_LOG_LEVEL",
        description="Log level on stderr; `DEBUG` logs method, path, status and time of each API request (never "
        "headers).",
    )
    max_retries: int = Field(
        3,
        ge=0,
        le=10,
        validation_alias="CODEX_MCP_MAX_RETRIES",
        description="Retries for 408/409/429/5xx and connection failures (exponential backoff with jitter, "
        "`Retry-After` honoured).",
    )
    request_deadline_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        validation_alias="CODEX_MCP_REQUEST_DEADLINE",
        description="Seconds one API request may take, retries, waits and the whole answer included.",
    )
    connect_timeout_s: float = Field(
        10.0, gt=0, le=300, validation_alias="CODEX_MCP_CONNECT_TIMEOUT", description="Connect timeout, seconds."
    )
    read_timeout_s: float = Field(
        30.0,
        gt=0,
        le=600,
        validation_alias="CODEX_MCP_READ_TIMEOUT",
        description="Read timeout of one attempt, seconds (capped by the time left before the deadline).",
    )
    max_concurrency: int = Field(
        16,
        ge=1,
        le=64,
        validation_alias="CODEX_MCP_MAX_CONCURRENCY",
        description="API requests in flight at once, shared by all tool calls (one connection pool). A long usage "
        "range is fetched in rounds of this many pages (120 days hourly: 18 pages, 2 rounds); lower it if the API "
        "answers 429.",
    )
    cache_mb: int = Field(
        64,
        ge=0,
        le=4096,
        validation_alias="CODEX_MCP_CACHE_MB",
        description="Memory (MiB) for usage and cost buckets that ended over 48 hours ago (they no longer change), "
        "so repeated and overlapping questions fetch only what is missing; least recently used out first, never "
        "shared between keys. `0`: no cache.",
    )
    backoff_initial_s: float = Field(
        0.5, ge=0, le=60, validation_alias="CODEX_MCP_BACKOFF_INITIAL", description="First retry backoff, seconds."
    )
    backoff_max_s: float = Field(
        8.0, ge=0, le=300, validation_alias="CODEX_MCP_BACKOFF_MAX", description="Longest retry backoff, seconds."
    )
    transport: Transport = Field(
        "stdio",
        validation_alias="CODEX_MCP_TRANSPORT",
        description="`stdio` (one client, what Claude Desktop runs) or `http`: Streamable HTTP at `/mcp` for a team "
        "(same as `--transport`).",
    )
    http_host: str = Field(
        "127.0.0.1",
        validation_alias="CODEX_MCP_HTTP_HOST",
        description="Address the HTTP server binds to (same as `--host`); Host headers naming it are accepted.",
    )
    http_port: int = Field(
        8000,
        ge=0,
        le=65535,
        validation_alias="CODEX_MCP_HTTP_PORT",
        description="HTTP port (same as `--port`); `0`: any free port, named in the start-up line on stderr.",
    )
    http_token: SecretStr | None = Field(
        None,
        validation_alias="CODEX_MCP_HTTP_TOKEN",
        description="Bearer token every HTTP client must send (`Authorization: Bearer ...`); at least 16 characters, "
        "never the admin key. Required unless `--no-auth` on loopback.",
    )
    http_token_file: Path | None = Field(
        None,
        validation_alias="CODEX_MCP_HTTP_TOKEN_FILE",
        description="File holding the bearer token, trailing newline stripped (same as `--http-token-file`).",
    )
    http_no_auth: bool = Field(
        False,
        validation_alias="CODEX_MCP_HTTP_NO_AUTH",
        description="`1`: serve HTTP without a token; only when bound to loopback (same as `--no-auth`).",
    )
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        validation_alias="CODEX_MCP_ALLOWED_HOSTS",
        description="Comma-separated extra Host header names accepted over HTTP, e.g. a load balancer's "
        "`mcp.example.com` (same as `--allowed-hosts`); others get 421.",
    )
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        validation_alias="CODEX_MCP_ALLOWED_ORIGINS",
        description="Comma-separated browser origins admitted over HTTP, e.g. `https://app.example.com` (same as "
        "`--allowed-origins`); requests with any other Origin get 403.",
    )
    allow_client_keys: bool = Field(
        False,
        validation_alias="CODEX_MCP_ALLOW_CLIENT_KEYS",
        description="`1`: gateway mode, an HTTP request may bring its own Admin key in `X-OpenAI-Admin-Key` (used "
        "for that request only); otherwise that header is refused with 400.",
    )

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("OPENAI_BASE_URL must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.backoff_initial_s > self.backoff_max_s:
            raise ValueError("CODEX_MCP_BACKOFF_INITIAL must not exceed CODEX_MCP_BACKOFF_MAX")
        return self

    @field_validator("max_result_tokens")
    @classmethod
    def _budget(cls, value: int) -> int:
        if 0 < value < MIN_RESULT_TOKENS:
            raise ValueError(f"CODEX_MCP_MAX_RESULT_TOKENS must be 0 (no limit) or at least {MIN_RESULT_TOKENS}")
        return value

    @field_validator("toolsets", mode="before")
    @classmethod
    def _toolset_names(cls, value: object) -> object:
        from codex_mcp.toolsets import parse_toolsets

        if isinstance(value, str):
            return parse_toolsets(value)
        if isinstance(value, list | tuple):
            return parse_toolsets(",".join(str(item) for item in value))
        return value

    @field_validator("allowed_hosts", "allowed_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for host in value:
            if "/" in host or any(char.isspace() for char in host):
                raise ValueError(f"CODEX_MCP_ALLOWED_HOSTS takes host names (optionally host:port), not {host!r}")
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        origins = tuple(origin.rstrip("/") for origin in value)
        for origin in origins:
            scheme, sep, rest = origin.partition("://")
            if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
                raise ValueError(
                    f"CODEX_MCP_ALLOWED_ORIGINS takes origins like https://app.example.com, not {origin!r}"
                )
        return origins

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


def environment_table() -> str:
    """The README's table of environment variables, from the fields above (a test keeps the README in step)."""
    lines = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for field in Settings.model_fields.values():
        default = field.default
        if isinstance(default, bool):
            shown = "`1`" if default else "`0`"
        elif isinstance(default, tuple):
            shown = f"`{','.join(default)}`" if default else "(none)"
        elif default is None:
            shown = "(none)"
        else:
            shown = f"`{default:g}`" if isinstance(default, float) else f"`{default}`"
        variable = field.validation_alias
        lines.append(f"| `{variable}` | {shown} | {field.description} |")
    return "\n".join(lines)
