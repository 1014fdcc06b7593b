-- A remembered import mapping is found by a SHA-256 digest of its header row, not the row itself:
-- a header row of a few kilobytes outgrew what a btree index entry holds and the import answered
-- 500 (server/domain/imports.py header_key). Existing keys become their digests.
UPDATE import_mappings SET header_key = encode(sha256(convert_to(header_key, 'UTF8')), 'hex');
