"""The Yjs documents' shapes (``schema/documents/*.json``), their deterministic seeds, reading a
document back into domain values, and the edits writers make. pycrdt, no I/O beyond loading
the shape files."""
