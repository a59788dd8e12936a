"""Configuration read from the environment (and the command line, which sets the same fields)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_BASE_URL = "https://api.openai.com/v1"
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    """Everything the server and its API client need; each field maps to one environment variable."""

    model_config = SettingsConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    admin_key: SecretStr | None = Field(None, validation_alias="OPENAI_ADMIN_KEY")
    base_url: str = Field(DEFAULT_BASE_URL, validation_alias="OPENAI_BASE_URL")
    demo: bool = Field(False, validation_alias="CODEX_MCP_DEMO")
    read_only: bool = Field(False, validation_alias="CODEX_MCP_READ_ONLY")
    log_level: LogLevel = Field("INFO", validation_alias="CODEX_MCP_LOG_LEVEL")
    connect_timeout_s: float = Field(10.0, gt=0, le=300, validation_alias="CODEX_MCP_CONNECT_TIMEOUT")
    read_timeout_s: float = Field(30.0, gt=0, le=600, validation_alias="CODEX_MCP_READ_TIMEOUT")
    max_retries: int = Field(3, ge=0, le=10, validation_alias="CODEX_MCP_MAX_RETRIES")
    request_deadline_s: float = Field(60.0, gt=0, le=3600, validation_alias="CODEX_MCP_REQUEST_DEADLINE")
    backoff_initial_s: float = Field(0.5, ge=0, le=60, validation_alias="CODEX_MCP_BACKOFF_INITIAL")
    backoff_max_s: float = Field(8.0, ge=0, le=300, validation_alias="CODEX_MCP_BACKOFF_MAX")
    max_concurrency: int = Field(8, ge=1, le=64, validation_alias="CODEX_MCP_MAX_CONCURRENCY")
    max_result_tokens: int = Field(20_000, ge=1_000, le=1_000_000, validation_alias="CODEX_MCP_MAX_RESULT_TOKENS")
    toolsets: Annotated[tuple[str, ...], NoDecode] = Field(("core",), validation_alias="CODEX_MCP_TOOLSETS")
    dynamic_toolsets: bool = Field(False, validation_alias="CODEX_MCP_DYNAMIC_TOOLSETS")

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

    @field_validator("toolsets", mode="before")
    @classmethod
    def _toolset_names(cls, value: object) -> object:
        from codex_mcp.toolsets import parse_toolsets

        if isinstance(value, str):
            return parse_toolsets(value)
        if isinstance(value, list | tuple):
            return parse_toolsets(",".join(str(item) for item in value))
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value
