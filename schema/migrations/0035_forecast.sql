-- Forecast (issue 19 items 2 and 3): a deal's own probability and forecast category, weekly
-- forecast snapshots ("what changed since last week"), close-date pushes per deal, teams and
-- goals per team. docs/forecast.md.

-- A deal's probability override (0-100; NULL: its stage's) and forecast category (NULL: pipeline),
-- projected from the board document's deal fields `probability` and `forecastCategory`.
ALTER TABLE deals ADD COLUMN probability double precision CHECK (probability BETWEEN 0 AND 100),
    ADD COLUMN forecast_category text CHECK (forecast_category IN ('pipeline', 'best_case', 'commit', 'omitted'));

-- Close-date pushes: each time a deal's expected close moves later (from one date to a later
-- one), counted here by a trigger on the projection. Not tied to the deal row: a projection
-- rebuild deletes and re-inserts deals, and the count must outlive it (the board's deletion
-- takes it along).
CREATE TABLE deal_close_pushes (
    board_id       uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    card_id        uuid        NOT NULL,
    pushes         integer     NOT NULL,
    last_pushed_at timestamptz NOT NULL,
    first_close    date        NOT NULL,  -- the expected close before the first push
    PRIMARY KEY (board_id, card_id)
);

CREATE FUNCTION deals_count_close_push() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_close_pushes AS p (board_id, card_id, pushes, last_pushed_at, first_close)
    VALUES (NEW.board_id, NEW.card_id, 1, clock_timestamp(), OLD.expected_close)
    ON CONFLICT (board_id, card_id) DO UPDATE SET pushes = p.pushes + 1, last_pushed_at = EXCLUDED.last_pushed_at;
    RETURN NULL;
END
$$;

CREATE TRIGGER deals_close_pushed AFTER UPDATE OF expected_close ON deals
    FOR EACH ROW WHEN (OLD.expected_close IS NOT NULL AND NEW.expected_close > OLD.expected_close)
    EXECUTE FUNCTION deals_count_close_push();

-- Weekly snapshots: one row per open deal per week (the Monday it begins, in the zone the job
-- counts weeks in), written once per workspace and week (forecast_snapshot_weeks decides).
CREATE TABLE forecast_snapshot_weeks (
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    week         date        NOT NULL,
    taken_at     timestamptz NOT NULL,
    deals        integer     NOT NULL,
    PRIMARY KEY (workspace_id, week)
);

CREATE TABLE forecast_snapshots (
    workspace_id   uuid             NOT NULL,
    week           date             NOT NULL,
    board_id       uuid             NOT NULL REFERENCES boards ON DELETE CASCADE,
    card_id        uuid             NOT NULL,
    title          text             NOT NULL,
    owner_id       uuid,
    value          double precision,
    currency       text,
    expected_close date,
    stage_id       uuid             NOT NULL,
    probability    double precision,  -- the deal's own, else its stage's (0-100)
    category       text             NOT NULL,
    PRIMARY KEY (workspace_id, week, board_id, card_id),
    FOREIGN KEY (workspace_id, week) REFERENCES forecast_snapshot_weeks ON DELETE CASCADE
);

-- Teams: named groups of a workspace's members; a goal may be a team's (attainment: the sum of
-- its members').
CREATE TABLE teams (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (workspace_id, name)
);

CREATE TABLE team_members (
    team_id uuid NOT NULL REFERENCES teams ON DELETE CASCADE,
    user_id  uuid    NOT NULL REFERENCES users ON DELETE CASCADE,
    position integer NOT NULL,  -- the order they were listed in
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

ALTER TABLE goals ADD COLUMN team_id uuid REFERENCES teams ON DELETE CASCADE,
    ADD CONSTRAINT goals_one_holder CHECK (user_id IS NULL OR team_id IS NULL);
