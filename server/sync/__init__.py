"""The transport-free collaboration engine: rooms, connections, group-committed persistence."""
