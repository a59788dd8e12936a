"""The client's retry policy at the edges the main tests leave out: a create answered 408 (a request timeout: it may
have been processed) is not repeated and says so, a 409 is no such warning; backoff spans half to all of its ceiling.

Found by mutation testing (scripts/mutation.sh client): each of these could change without a test noticing.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from codex_mcp.client.retry import Backoff
from codex_mcp.errors import APIStatusError, PaginationError
from tests.test_client import PROJECT, Script, make_client, ok, status

LIST_FIRST = (
    "OpenAI reported a failure, so the project may have been created anyway. Do not simply repeat the call: list "
    "first (codex_list_projects) and create it only if it is not there."
)


async def test_a_create_answered_408_is_not_repeated_and_says_it_may_have_happened() -> None:
    script = Script(status(408), ok(PROJECT))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(APIStatusError) as caught:
            await client.create_project(name="New")
    assert script.count == 1
    assert caught.value.hint == LIST_FIRST


async def test_a_create_answered_409_was_not_processed_and_keeps_its_own_hint() -> None:
    script = Script(status(409), ok(PROJECT))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(APIStatusError) as caught:
            await client.create_project(name="New")
    assert script.count == 1
    assert "may have been created anyway" not in caught.value.hint


@pytest.mark.parametrize(("jitter", "delay"), [(0.0, 2.0), (0.5, 3.0), (1.0, 4.0)])
def test_backoff_waits_between_half_and_all_of_its_ceiling(jitter: float, delay: float) -> None:
    backoff = Backoff(initial_s=1.0, max_s=30.0, jitter=lambda: jitter)
    assert backoff.delay(3, None) == delay  # ceiling 1 s * 2^(3-1) = 4 s
    assert backoff.delay(3, 0.25) == 0.25  # the server's Retry-After wins


class Named(BaseModel):
    name: str


async def test_a_page_with_more_but_no_string_id_to_continue_from_is_a_paging_error() -> None:
    """Without last_id, the cursor is the last item's id, and only a string can be sent back as `after`."""
    script = Script(ok({"object": "list", "data": [{"id": 7, "name": "a"}], "has_more": True}))
    client, _ = make_client(script)
    async with client:
        with pytest.raises(PaginationError, match="said has_more but gave no new cursor"):
            await client.list_page("/organization/things", Named, limit=1, after=None)
