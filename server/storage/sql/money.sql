-- A workspace's currency and exchange rates (migration 0009; server/storage/money.py).
-- name: money
SELECT currency FROM workspace_money WHERE workspace_id = $1;
-- name: rates
SELECT currency, rate FROM exchange_rates WHERE workspace_id = $1 ORDER BY currency;
-- name: set_currency
INSERT INTO workspace_money (workspace_id, currency, updated_by) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id) DO UPDATE SET currency = $2, updated_by = $3, updated_at = now();
-- name: clear_rates
DELETE FROM exchange_rates WHERE workspace_id = $1;
-- name: insert_rates
INSERT INTO exchange_rates (workspace_id, currency, rate) SELECT $1, * FROM unnest($2::text[], $3::float8[]);
