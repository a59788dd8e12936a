"""The tools, one module per area; each module lists its READ_TOOLS and WRITE_TOOLS for server.py to register."""
