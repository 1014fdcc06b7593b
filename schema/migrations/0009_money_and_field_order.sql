-- A workspace's currency and exchange rates, and the order and new types of custom fields (issue 14).
--
-- A workspace without a row in workspace_money has the currency its creator's locale suggested
-- at creation (stored then) or, for workspaces made before this migration, USD (what their boards
-- were seeded with). A rate says what one unit of `currency` counts as in the workspace currency.
CREATE TABLE workspace_money (
    workspace_id uuid        PRIMARY KEY REFERENCES workspaces ON DELETE CASCADE,
    currency     text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    updated_by   uuid        REFERENCES users ON DELETE SET NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE exchange_rates (
    workspace_id uuid             NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    currency     text             NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    rate         double precision NOT NULL CHECK (rate > 0),
    PRIMARY KEY (workspace_id, currency)
);

-- Fields show in `position` order (then by age); new fields go last.
ALTER TABLE custom_fields ADD COLUMN position integer NOT NULL DEFAULT 0;
ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_type_check;
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_type_check
    CHECK (type IN ('text', 'number', 'date', 'select', 'bool', 'multi_select', 'url', 'email', 'phone'));
