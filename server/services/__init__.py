"""Use cases that combine the domain rules with storage: accounts, workspaces, boards, sockets."""
