"""create_server(settings): the MCPServer with every tool registered, its lifespan and its error handling."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, TextContent
from mcp.types import Tool as MCPTool
from pydantic import SecretStr, ValidationError

from codex_mcp import __version__
from codex_mcp.catalog import DYNAMIC, CatalogEntry, add_spec, find_spec, load_catalog
from codex_mcp.errors import AdminAPIError, InvalidArgumentError, NotConfirmedError, shown
from codex_mcp.prompts import register_prompts
from codex_mcp.protocol import protocol_middleware
from codex_mcp.redaction import needs_redaction, redact, redact_tree
from codex_mcp.resources import register_resources
from codex_mcp.result_fit import BYTES_PER_TOKEN, ResultTooLargeError, fit_structured, json_text
from codex_mcp.settings import Settings
from codex_mcp.state import AppState, TransportSource
from codex_mcp.stdio import serve_stdio

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("codex_mcp.server")

# Error texts stay short whatever was sent: at most this many problems, names and messages this long.
MAX_LISTED = 10
MAX_NAME = 64
MAX_MESSAGE = 400

INSTRUCTIONS = (
    "Tools for administering an OpenAI organization through the OpenAI Admin API: usage (tokens, requests) and "
    "costs (US dollars), cost insights (change, month-end projection, budget, anomalous days), members, invites, "
    "projects, API keys and service accounts, audit logs, and a normalized metrics summary; more toolsets (budgets, "
    "keys, access, governance, other usage) when the server enables them. All times are UTC; time arguments accept "
    "Unix seconds, ISO-8601 dates/datetimes, or forms like '7d', '3mo', 'yesterday', 'this month', 'last month'; "
    "end times are exclusive. Usage and cost tools fetch every page and return exact totals and tables (columns "
    "once, then rows); when an answer would not fit, detail is condensed and a note says how to get the rest. List "
    "tools return one page: when has_more is true, call again with after=next_after. Tools that change the "
    "organization act at once: confirm with the user first (clients that can ask the user are asked by the "
    "server before anything destructive)."
)
DEMO_NOTE = (
    "\n\nDEMO MODE: this server answers from a built-in sample organization, not a real OpenAI account. Every "
    "figure is invented demo data; say so when you report it."
)


class CodexServer(MCPServer[AppState]):
    """MCPServer whose tool errors always read well (API failures, bad or unknown arguments, read-only refusals),
    whose results are redacted and fit the token budget, and whose tools come in toolsets."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(middleware=protocol_middleware(self), **kwargs)
        self.config = settings
        self.live: AppState | None = None  # set by the lifespan while the server runs
        self.enabled_toolsets: list[str] = []
        self._catalog = load_catalog()
        self._listed: list[str] = []  # the tools tools/list shows, in order (from the catalog)
        self._registered: set[str] = set()  # those whose module is imported and tool built (on first call)
        self._tools: list[MCPTool] = []  # tools/list's answer, built from the catalog as first asked
        self._write_tools: set[str] = set()
        for name in settings.toolsets:
            self.enable_toolset(name)
        if settings.dynamic_toolsets:
            self._list([entry for entry in self._catalog.values() if entry.toolset == DYNAMIC])

    def api(self) -> AppState:
        """The running server's state (for resources, which get no Context)."""
        if self.live is None:
            raise RuntimeError("the server is not running")
        return self.live

    def enable_toolset(self, name: str) -> list[str]:
        """List a toolset's tools (its write tools only when not read-only); the names of the tools added. Nothing is
        imported or built until a tool is first called."""
        if name in self.enabled_toolsets:
            return []
        self.enabled_toolsets.append(name)
        return self._list([entry for entry in self._catalog.values() if entry.toolset == name])

    def _list(self, entries: list[CatalogEntry]) -> list[str]:
        added = []
        for entry in entries:
            if not entry.read_only:
                self._write_tools.add(entry.name)
                if self.config.read_only:
                    continue
            self._listed.append(entry.name)
            added.append(entry.name)
        return added

    async def list_tools(self) -> list[MCPTool]:
        """The enabled tools, as the catalog (generated from registering them) defines them."""
        for name in self._listed[len(self._tools) :]:  # built once each (enabling a toolset appends)
            self._tools.append(MCPTool.model_validate(self._catalog[name].definition))
        return list(self._tools)

    def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
        return self._catalog[name].definition.get("inputSchema") if name in self._listed else None

    def _ensure_registered(self, name: str) -> None:
        """Import and register a listed tool the first time it is called."""
        if name in self._listed and name not in self._registered:
            add_spec(self, find_spec(name))
            self._registered.add(name)

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AppState, Any] | None = None
    ) -> Any:
        if self.config.read_only and name in self._write_tools:
            raise ToolError(
                f"{name} changes the organization and is disabled: this server runs in read-only mode "
                "(CODEX_MCP_READ_ONLY=1 or --read-only). Unset it to allow changes."
            )
        if unknown := self._unknown_arguments(name, arguments):
            raise ToolError(redact(unknown))  # argument names are input too: a key pasted as one is not echoed
        self._ensure_registered(name)
        try:
            result = await super().call_tool(name, arguments, context)
            return finish_result(result, demo=self.config.demo, max_tokens=self.config.max_result_tokens, tool=name)
        except UnexpectedToolError as exc:
            raise tool_error(name, exc.__cause__ or exc) from None
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(describe_validation_error(name, exc.__cause__)) from None
            raise ToolError(redact(str(exc))) from None
        except ResultTooLargeError as exc:
            raise ToolError(str(exc)) from None
        except Exception as exc:  # the one place tools are called: nothing may reach the client as a bare crash
            raise tool_error(name, exc) from None

    async def run_stdio_async(self) -> None:
        """Serve on codex_mcp.stdio: the SDK's stdio transport, with every line from the client checked first."""
        await serve_stdio(self._lowlevel_server)

    def _unknown_arguments(self, name: str, arguments: dict[str, Any]) -> str | None:
        """Refuse misspelt argument names ('limt'): the SDK would silently drop them and use defaults."""
        from difflib import get_close_matches  # only when an argument name is wrong

        if name not in self._listed:
            return None
        known = self._catalog[name].arguments
        extra = [key for key in arguments if key not in known]
        if not extra:
            return None
        lines = [f"Invalid arguments for {name}; nothing was sent:"]
        for key in extra[:MAX_LISTED]:
            close = get_close_matches(key, known, n=1) if len(key) <= MAX_NAME else []
            label = key if len(key) <= MAX_NAME else shown(key, MAX_NAME)
            lines.append(f"- {label}: unknown argument" + (f"; did you mean {close[0]!r}?" if close else ""))
        if len(extra) > MAX_LISTED:
            lines.append(f"- and {len(extra) - MAX_LISTED} more unknown arguments")
        lines.append(f"Known arguments: {', '.join(known)}.")
        return "\n".join(lines)


def tool_error(name: str, cause: BaseException) -> ToolError:
    """The error a client sees for an exception a tool raised: API failures and refused arguments read as such;
    anything else is named as the bug it is, with its traceback logged at DEBUG on stderr."""
    if isinstance(cause, AdminAPIError):
        return ToolError(f"{name} failed: {cause.describe()}")
    if isinstance(cause, InvalidArgumentError):
        return ToolError(redact(f"Invalid arguments for {name}: {cause}"))
    if isinstance(cause, NotConfirmedError):
        return ToolError(str(cause))
    log.debug("%s raised %s", name, type(cause).__name__, exc_info=cause)
    return ToolError(
        f"{name} failed with an unexpected {type(cause).__name__}: this is a bug in codex-mcp, please report it "
        "(run with CODEX_MCP_LOG_LEVEL=DEBUG for the traceback on stderr). Nothing was changed by this call unless "
        "it is a tool that changes the organization: check before calling it again."
    )


def finish_result(result: Any, *, demo: bool, max_tokens: int, tool: str) -> Any:
    """What the client receives: the structured result redacted, labelled in demo mode, within the token budget,
    and its text block the same as compact JSON (a third fewer tokens than indented)."""
    if not isinstance(result, CallToolResult) or result.is_error or not isinstance(result.structured_content, dict):
        return result
    structured = {**result.structured_content, "demo_data": True} if demo else result.structured_content
    text = json_text(structured)
    if needs_redaction(text):
        structured = redact_tree(structured)
        text = json_text(structured)
    if max_tokens and len(text.encode()) > max_tokens * BYTES_PER_TOKEN:
        structured = fit_structured(structured, max_tokens=max_tokens, tool=tool)
        text = json_text(structured)
    content = TextContent(type="text", text=text)
    return result.model_copy(update={"structured_content": structured, "content": [content]})


def describe_validation_error(tool: str, error: ValidationError) -> str:
    """One line per bad argument: which field, what is wrong, what was given."""
    lines = [f"Invalid arguments for {tool}; nothing was sent:"]
    problems = error.errors(include_url=False)
    for item in problems[:MAX_LISTED]:
        field = ".".join(str(part) for part in item["loc"])[:MAX_NAME] or "arguments"
        message = str(item["msg"]).removeprefix("Value error, ")[:MAX_MESSAGE]
        if item["type"] == "missing":
            message = "required argument is missing"
        elif item["type"] == "extra_forbidden":
            message = "unknown argument"
        given = item.get("input")
        quiet = item["type"] in ("missing", "value_error") or isinstance(given, dict)
        got = "" if quiet else f" (got {shown(given)})"
        lines.append(redact(f"- {field}: {message}{got}"))
    if len(problems) > MAX_LISTED:
        lines.append(f"- and {len(problems) - MAX_LISTED} more problems")
    return "\n".join(lines)


def create_server(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> CodexServer:
    """Build the server. `transport` answers HTTP in-process (tests); demo settings bring the sample organization."""
    settings, transport_source = api_connection(settings, transport)

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        server.live = AppState(settings, transport_source)
        try:
            yield server.live
        finally:
            await server.live.aclose()
            server.live = None

    server = CodexServer(
        settings,
        name="codex-mcp",
        title="OpenAI organization admin (codex-mcp)",
        version=__version__,
        instructions=INSTRUCTIONS + (DEMO_NOTE if settings.demo else ""),
        lifespan=lifespan,
        log_level=settings.log_level,
    )
    register_resources(server)
    register_prompts(server)
    return server


def api_connection(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> tuple[Settings, TransportSource]:
    """The settings to reach the API with, and where its transport comes from: in demo mode, the simulator's key and
    a transport made on first use (so starting a --demo server imports neither httpx nor the simulator)."""
    if not settings.demo or transport is not None:
        return settings, lambda: transport
    from codex_mcp.demo import DEMO_ADMIN_KEY

    return settings.model_copy(update={"admin_key": SecretStr(DEMO_ADMIN_KEY)}), functools.cache(_demo_transport)


def _demo_transport() -> httpx.AsyncBaseTransport:
    from codex_mcp.demo.connection import DemoTransport

    return DemoTransport()
