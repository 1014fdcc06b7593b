"""CRM vocabulary and rules: accounts, workspaces, roles, access decisions. No I/O, no frameworks."""
