"""create_server(settings): the MCPServer with every tool registered, its lifespan and its error handling."""

from __future__ import annotations

import difflib
import inspect
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, get_type_hints

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, TextContent
from pydantic import SecretStr, ValidationError

from codex_mcp import __version__
from codex_mcp.client import AdminClient
from codex_mcp.errors import AdminAPIError, InvalidArgumentError
from codex_mcp.protocol import protocol_middleware
from codex_mcp.redaction import redact
from codex_mcp.settings import Settings
from codex_mcp.state import AppState
from codex_mcp.stdio import serve_stdio
from codex_mcp.tools import ToolSpec, audit, invites, metrics, projects, usage, users

log = logging.getLogger("codex_mcp.server")

TOOLS: list[ToolSpec] = [spec for module in (usage, users, invites, projects, audit, metrics) for spec in module.TOOLS]

INSTRUCTIONS = (
    "Tools for administering an OpenAI organization through the OpenAI Admin API: usage (tokens, requests) and "
    "costs (US dollars), members, invites, projects, project API keys and service accounts, audit logs, and a "
    "normalized metrics summary. All times are UTC; time arguments accept Unix seconds, ISO-8601 dates/datetimes, "
    "or forms like '7d', '3mo', 'yesterday', 'this month', 'last month'; end times are exclusive. Usage and cost "
    "tools fetch every page and return every bucket of the range with totals (per group when grouped; per project "
    "with its name). List tools return one page: when has_more is true, call again with after=next_after. Tools "
    "that change the organization (role changes, removals, invites, new projects) act at once: confirm with the "
    "user first."
)
DEMO_NOTE = (
    "\n\nDEMO MODE: this server answers from a built-in sample organization, not a real OpenAI account. Every "
    "figure is invented demo data; say so when you report it."
)


class CodexServer(MCPServer[AppState]):
    """MCPServer whose tool errors always read well: API failures, bad or unknown arguments, read-only refusals."""

    def __init__(self, *args: Any, tools: list[ToolSpec], read_only: bool, demo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, middleware=protocol_middleware(self), **kwargs)
        self._read_only = read_only
        self._demo = demo
        self._write_tools = frozenset(spec.name for spec in tools if not spec.read_only)
        self._arguments = {spec.name: _argument_names(spec.fn) for spec in tools}
        for spec in tools:
            if spec.read_only or not read_only:
                self.add_tool(
                    spec.fn, name=spec.name, title=spec.title, annotations=spec.annotations, structured_output=True
                )

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AppState, Any] | None = None
    ) -> Any:
        if self._read_only and name in self._write_tools:
            raise ToolError(
                f"{name} changes the organization and is disabled: this server runs in read-only mode "
                "(CODEX_MCP_READ_ONLY=1 or --read-only). Unset it to allow changes."
            )
        if unknown := self._unknown_arguments(name, arguments):
            raise ToolError(unknown)
        try:
            result = await super().call_tool(name, arguments, context)
        except UnexpectedToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, AdminAPIError):
                raise ToolError(f"{name} failed: {cause.describe()}") from None
            if isinstance(cause, InvalidArgumentError):
                raise ToolError(f"Invalid arguments for {name}: {cause}") from None
            raise
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(describe_validation_error(name, exc.__cause__)) from exc.__cause__
            raise
        return compact_result(result, demo=self._demo)

    async def run_stdio_async(self) -> None:
        """Serve on codex_mcp.stdio: the SDK's stdio transport, with every line from the client checked first."""
        await serve_stdio(self._lowlevel_server)

    def _unknown_arguments(self, name: str, arguments: dict[str, Any]) -> str | None:
        """Refuse misspelt argument names ('limt'): the SDK would silently drop them and use defaults."""
        known = self._arguments.get(name)
        if known is None:
            return None
        extra = [key for key in arguments if key not in known]
        if not extra:
            return None
        lines = [f"Invalid arguments for {name}; nothing was sent:"]
        for key in extra:
            close = difflib.get_close_matches(key, known, n=1)
            lines.append(f"- {key}: unknown argument" + (f"; did you mean {close[0]!r}?" if close else ""))
        lines.append(f"Known arguments: {', '.join(known)}.")
        return "\n".join(lines)


def compact_result(result: Any, *, demo: bool) -> Any:
    """Render a structured result's text as compact JSON (a third fewer tokens than indented), and in demo mode
    label it as demo data, whatever its type."""
    if not isinstance(result, CallToolResult) or result.is_error or not isinstance(result.structured_content, dict):
        return result
    structured = {**result.structured_content, "demo_data": True} if demo else result.structured_content
    text = TextContent(type="text", text=json.dumps(structured, separators=(",", ":"), ensure_ascii=False))
    return result.model_copy(update={"structured_content": structured, "content": [text]})


def describe_validation_error(tool: str, error: ValidationError) -> str:
    """One line per bad argument: which field, what is wrong, what was given."""
    lines = [f"Invalid arguments for {tool}; nothing was sent:"]
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "arguments"
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "required argument is missing"
        elif item["type"] == "extra_forbidden":
            message = "unknown argument"
        given = item.get("input")
        quiet = item["type"] in ("missing", "value_error") or isinstance(given, dict)
        shown = "" if quiet else f" (got {redact(repr(given))[:80]})"
        lines.append(f"- {field}: {message}{shown}")
    return "\n".join(lines)


def create_server(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> CodexServer:
    """Build the server. `transport` answers HTTP in-process (tests); demo settings bring the sample organization."""
    settings, transport = api_connection(settings, transport)

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        async with AdminClient(settings, transport=transport) as client:
            yield AppState(client=client, settings=settings)

    return CodexServer(
        name="codex-mcp",
        title="OpenAI organization admin (codex-mcp)",
        version=__version__,
        instructions=INSTRUCTIONS + (DEMO_NOTE if settings.demo else ""),
        lifespan=lifespan,
        log_level=settings.log_level,
        tools=TOOLS,
        read_only=settings.read_only,
        demo=settings.demo,
    )


def api_connection(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> tuple[Settings, httpx.AsyncBaseTransport | None]:
    """The settings and transport to reach the API with: in demo mode, the simulator and its key."""
    if not settings.demo or transport is not None:
        return settings, transport
    from codex_mcp.demo import DEMO_ADMIN_KEY, AdminAPISimulator

    return settings.model_copy(update={"admin_key": SecretStr(DEMO_ADMIN_KEY)}), AdminAPISimulator().transport()


def _argument_names(fn: Callable[..., Any]) -> list[str]:
    """The names a tool accepts: its parameters, less the injected Context."""
    hints = get_type_hints(fn)
    return [name for name in inspect.signature(fn).parameters if hints.get(name) is not Context]
