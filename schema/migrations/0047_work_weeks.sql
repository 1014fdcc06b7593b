-- Each person's working week (docs/calendar.md, the workload strip): the hours a week they are
-- available for booked activities, set in Settings › Calendar. No row: 40 hours.
CREATE TABLE work_weeks (
    user_id      uuid         PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    weekly_hours numeric(5,2) NOT NULL CHECK (weekly_hours >= 1 AND weekly_hours <= 168),
    updated_at   timestamptz  NOT NULL DEFAULT now()
);
