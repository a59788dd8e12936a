"""The error tree for Admin API failures, and how each reads for a person."""

from __future__ import annotations

from codex_mcp.redaction import redact

KEY_HELP = (
    "Set OPENAI_ADMIN_KEY to an Admin key: OpenAI Platform -> Organization settings -> Admin keys "
    "(https://platform.openai.com/settings/organization/admin-keys). Project keys (sk-proj-...) cannot call the "
    'Admin API. In Claude Desktop put it under "env" in claude_desktop_config.json.'
)


def shown(value: object, limit: int = 80) -> str:
    """A value someone gave, quoted for an error or note: its repr, at most `limit` characters, with its length when
    cut, so a 5 MB argument is never echoed back whole. Secrets are redacted."""
    text = repr(value)
    if len(text) > limit:
        if isinstance(value, str):
            text = f"{text[: limit - 1]}… ({len(value):,} characters)"
        elif isinstance(value, list | dict):
            text = f"{text[: limit - 1]}… ({len(value):,} items)"
        else:
            text = f"{text[: limit - 1]}… ({len(text):,} characters)"
    return redact(text)


class NotConfirmedError(Exception):
    """The person declined (or cancelled) a destructive call when asked; nothing was changed."""


class InvalidArgumentError(ValueError):
    """An argument refused before any request is sent; the message names the field and what to fix."""


class AdminAPIError(Exception):
    """Base class: every failure the client reports, with a message and a hint written for the reader.

    `what` says what happened; the request path and the cursor walk fill in the rest as fields (attempts, how
    retrying ended, the page, notes) and `message` composes them, so no one rewrites the text after the fact.
    """

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.what = redact(message)
        super().__init__(self.what)
        if hint is not None:
            self.hint = hint
        self.notes: list[str] = []  # sentences between what happened and how it ended
        self.attempts = 1
        self.gave_up = False  # True: retrying stopped while the failure was still retryable
        self.stopped: str | None = None  # why retrying stopped early, e.g. the deadline
        self.page: int | None = None  # the page of a multi-page fetch this failure ended
        self.window: str | None = None  # the window of a range fetched in several this failure ended

    @property
    def message(self) -> str:
        """What happened, the notes, then how it ended: attempts, page, and why retrying stopped."""
        text = self.what
        for note in self.notes:
            text = sentence(text, redact(note))
        if ending := self._ending():
            text = sentence(text, ending)
        if self.stopped:
            text = sentence(text, f"Stopped: {self.stopped}.")
        return text

    def _ending(self) -> str:
        tried = f"{'Gave up' if self.gave_up else 'Failed'} after {self.attempts} attempts" if self.attempts > 1 else ""
        if self.window is not None:
            page = f"page {self.page} of " if self.page is not None and self.page > 1 else ""
            return f"{tried or 'Failed'} on {page}{self.window}; the other windows were cancelled or discarded."
        if self.page is None or self.page < 2:
            return f"{tried}." if tried else ""
        earlier = "the page before it was" if self.page == 2 else f"the {self.page - 1} pages before it were"
        return f"{tried or 'Failed'} on page {self.page}; {earlier} discarded."

    def __str__(self) -> str:
        return self.message

    def describe(self) -> str:
        """The whole text a user sees: what happened, then what to do."""
        return f"{self.message}\nHint: {self.hint}" if self.hint else self.message


class ConfigurationError(AdminAPIError):
    """The server is not set up to call the API (no key, or the wrong kind of key)."""

    hint = (
        f"{KEY_HELP} To try the server without a key, start it with --demo (or CODEX_MCP_DEMO=1): it then answers "
        "from a built-in sample organization."
    )


class APIConnectionError(AdminAPIError):
    """The API could not be reached (DNS, refused connection, TLS, dropped connection)."""

    hint = "Check the network and OPENAI_BASE_URL, then call again."


class APITimeoutError(APIConnectionError):
    """The API did not answer within the configured timeout."""

    hint = "OpenAI was slow to answer; try again, narrow the time range, or raise CODEX_MCP_READ_TIMEOUT."


class APIResponseError(AdminAPIError):
    """The API answered with something that is not the JSON it documents."""

    hint = "OpenAI returned an unexpected response; try again shortly. If it persists, report it with the request id."


class PaginationError(AdminAPIError):
    """Paging went wrong half-way, so the result would have been incomplete."""

    hint = "Nothing partial was returned. Try again, or narrow the time range so fewer pages are needed."


class APIStatusError(AdminAPIError):
    """The API answered with an HTTP error status."""

    hint = "Check the arguments against the message above."

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        code: str | None = None,
        param: str | None = None,
        api_message: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        # Everything here comes from the upstream answer and may be echoed into results: redact it all.
        self.api_message = redact(api_message) if api_message else None
        self.status_code = status_code
        self.request_id = redact(request_id) if request_id else None
        self.code = redact(code) if code else None
        self.param = redact(param) if param else None
        self.attempts = attempts


class BadRequestError(APIStatusError):
    """400: the API rejected the arguments."""

    hint = "The API rejected the request; fix the argument it names and call again."


class AuthenticationError(APIStatusError):
    """401: the key is missing, wrong or revoked."""

    hint = "The key was not accepted. " + KEY_HELP


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but lacks organization admin access."""

    hint = (
        "The key lacks organization admin access for this endpoint. Use an Admin key created by an organization "
        "owner (Organization settings -> Admin keys) with the needed scopes."
    )


class NotFoundError(APIStatusError):
    """404: the id does not exist."""

    hint = (
        "That id does not exist (or was deleted). List the objects first (codex_list_users, codex_list_projects, "
        "codex_list_invites) to find the right id."
    )


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""

    hint = "The request conflicts with the organization's current state (for example it already exists)."


class RateLimitError(APIStatusError):
    """429: rate limited."""

    hint = "OpenAI rate-limited the requests. Wait a minute and call again, or narrow the query to fewer pages."


class InternalServerError(APIStatusError):
    """5xx: OpenAI failed."""

    hint = "OpenAI failed to answer. Try again in a little while; check https://status.openai.com if it persists."


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}


def status_class(status: int) -> type[APIStatusError]:
    """The error class for an HTTP error status."""
    return _STATUS_CLASSES.get(status, InternalServerError if status >= 500 else APIStatusError)


def sentence(text: str, more: str) -> str:
    """Append a sentence, adding a full stop only where the text has none."""
    text = text.rstrip()
    return f"{text} {more}" if text.endswith((".", "!", "?")) else f"{text}. {more}"
