"""`python -m codex_mcp`."""

from codex_mcp import main

main()
