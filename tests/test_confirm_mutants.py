"""What the model reads when the person says no: declined or cancelled as they answered, the tool's name, and that
nothing changed.

Found by mutation testing (scripts/mutation.sh confirm): "declined" and "cancelled" could swap without a test
noticing.
"""

from __future__ import annotations

import pytest
from mcp import Client

from codex_mcp.server import create_server
from tests.conftest import make_settings, result_text
from tests.test_confirm import Asker, recording_simulator


@pytest.mark.parametrize(
    ("answer", "confirm", "said"),
    [("decline", True, "declined"), ("cancel", True, "cancelled"), ("accept", False, "declined")],
)
async def test_a_no_is_reported_as_the_person_gave_it(answer: str, confirm: bool, said: str) -> None:
    simulator, seen = recording_simulator()
    user = next(u for u in simulator.org.users if not u.deleted and u.role == "owner")
    server = create_server(make_settings(), transport=simulator.transport())
    async with Client(server, elicitation_callback=Asker(answer, confirm)) as client:
        result = await client.call_tool("codex_delete_user", {"user_id": user.id})
    assert result.is_error
    assert result_text(result) == (
        f"Not done: the person {said} the confirmation of codex_delete_user, so nothing was changed. Do not call it "
        "again unless they ask for it."
    )
    assert all(request.startswith("GET ") for request in seen)
