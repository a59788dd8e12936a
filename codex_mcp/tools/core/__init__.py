"""The core toolset (the default): usage and cost reports, members, invites, projects, audit logs, metrics."""
