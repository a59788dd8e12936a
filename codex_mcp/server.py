"""create_server(settings): the MCPServer with every tool registered, its lifespan and its error handling."""

from __future__ import annotations

import difflib
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, get_type_hints

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.resolve import find_resolved_parameters
from mcp.types import CallToolResult, TextContent
from pydantic import SecretStr, ValidationError

from codex_mcp import __version__
from codex_mcp.budget import BYTES_PER_TOKEN, ResultTooLargeError, fit_structured, json_text
from codex_mcp.client import AdminClient
from codex_mcp.errors import AdminAPIError, InvalidArgumentError, shown
from codex_mcp.prompts import register_prompts
from codex_mcp.protocol import protocol_middleware
from codex_mcp.redaction import needs_redaction, redact, redact_tree
from codex_mcp.resources import register_resources
from codex_mcp.settings import Settings
from codex_mcp.state import AppState
from codex_mcp.stdio import serve_stdio
from codex_mcp.tools import ToolSpec
from codex_mcp.tools.confirm import NotConfirmedError
from codex_mcp.toolsets import TOOLSETS

log = logging.getLogger("codex_mcp.server")

# Error texts stay short whatever was sent: at most this many problems, names and messages this long.
MAX_LISTED = 10
MAX_NAME = 64
MAX_MESSAGE = 400

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
    """MCPServer whose tool errors always read well (API failures, bad or unknown arguments, read-only refusals),
    whose results are redacted and fit the token budget, and whose tools come in toolsets."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(middleware=protocol_middleware(self), **kwargs)
        self.config = settings
        self.live: AppState | None = None  # set by the lifespan while the server runs
        self.enabled_toolsets: list[str] = []
        self._write_tools: set[str] = set()
        self._arguments: dict[str, list[str]] = {}
        for name in settings.toolsets:
            self.enable_toolset(name)
        if settings.dynamic_toolsets:
            from codex_mcp.tools import discovery

            for spec in discovery.TOOLS:
                self._register(spec)

    def api(self) -> AppState:
        """The running server's state (for resources, which get no Context)."""
        if self.live is None:
            raise RuntimeError("the server is not running")
        return self.live

    def enable_toolset(self, name: str) -> list[str]:
        """Register a toolset's tools (its write tools only when not read-only); the names of the tools added."""
        if name in self.enabled_toolsets:
            return []
        self.enabled_toolsets.append(name)
        return [spec.name for spec in TOOLSETS[name].tools if self._register(spec)]

    def _register(self, spec: ToolSpec) -> bool:
        self._arguments[spec.name] = _argument_names(spec.fn)
        if not spec.read_only:
            self._write_tools.add(spec.name)
            if self.config.read_only:
                return False
        self.add_tool(
            spec.fn,
            name=spec.name,
            title=spec.title,
            description=inspect.cleandoc(spec.fn.__doc__ or ""),
            annotations=spec.annotations,
            structured_output=True,
        )
        return True

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
        known = self._arguments.get(name)
        if known is None:
            return None
        extra = [key for key in arguments if key not in known]
        if not extra:
            return None
        lines = [f"Invalid arguments for {name}; nothing was sent:"]
        for key in extra[:MAX_LISTED]:
            close = difflib.get_close_matches(key, known, n=1) if len(key) <= MAX_NAME else []
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
    settings, transport = api_connection(settings, transport)

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        async with AdminClient(settings, transport=transport) as client:
            server.live = AppState(client=client, settings=settings)
            try:
                yield server.live
            finally:
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
) -> tuple[Settings, httpx.AsyncBaseTransport | None]:
    """The settings and transport to reach the API with: in demo mode, the simulator and its key."""
    if not settings.demo or transport is not None:
        return settings, transport
    from codex_mcp.demo import DEMO_ADMIN_KEY, AdminAPISimulator

    return settings.model_copy(update={"admin_key": SecretStr(DEMO_ADMIN_KEY)}), AdminAPISimulator().transport()


def _argument_names(fn: Callable[..., Any]) -> list[str]:
    """The names a tool accepts: its parameters, less the injected Context and those a resolver fills (such as a
    destructive tool's confirmation)."""
    hints = get_type_hints(fn)
    resolved = find_resolved_parameters(fn)
    return [
        name for name in inspect.signature(fn).parameters if hints.get(name) is not Context and name not in resolved
    ]
