"""How --demo reaches the API: an in-process transport that builds the simulator on the first
request (so starting the server and listing its tools build none of the sample organization)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from codex_mcp.demo.simulator import AdminAPISimulator


class DemoTransport(httpx.AsyncBaseTransport):
    """Answers from an AdminAPISimulator made when the first request arrives."""

    def __init__(self) -> None:
        self._simulator: AdminAPISimulator | None = None

    @property
    def simulator(self) -> AdminAPISimulator:
        if self._simulator is None:
            from codex_mcp.demo.simulator import AdminAPISimulator

            self._simulator = AdminAPISimulator()
        return self._simulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.simulator.transport().handle_async_request(request)
