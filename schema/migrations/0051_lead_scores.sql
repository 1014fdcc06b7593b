-- Lead scores that explain themselves (docs/lead-scoring.md, brief H10).
--
-- lead_score_rules: a workspace's rules (server/domain/lead_scoring.py, as JSON), absent until the
-- first open seeds the defaults. lead_scores: each lead's and contact's score with its explanation
-- (the rules that matched, their points and evidence) and when it was computed, so lists sort by it.
-- lead_score_marks: who needs scoring anew — a lead, a contact, or every lead and contact of an
-- e-mail address — written by the triggers below in the transaction of the change (a lead edited,
-- a tracked mail opened or clicked, a reply filed, a meeting booked, an activity done); a mark
-- queues the `lead_scoring.rescore` job for its workspace (deduplicated while one is queued, as
-- insights.refresh is, 0040_insights_refresh_job_c), which scores the marked and deletes exactly
-- the marks it read.
CREATE TABLE lead_score_rules (
    workspace_id uuid        PRIMARY KEY REFERENCES workspaces ON DELETE CASCADE,
    rules        jsonb       NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   uuid        REFERENCES users ON DELETE SET NULL
);

CREATE TABLE lead_scores (
    subject_kind text        NOT NULL CHECK (subject_kind IN ('lead', 'contact')),
    subject_id   uuid        NOT NULL,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    score        smallint    NOT NULL CHECK (score BETWEEN 0 AND 100),
    explanation  jsonb       NOT NULL,
    computed_at  timestamptz NOT NULL,
    PRIMARY KEY (subject_kind, subject_id)
);
CREATE INDEX lead_scores_rank ON lead_scores (workspace_id, subject_kind, score DESC);

CREATE TABLE lead_score_marks (
    id           bigserial   PRIMARY KEY,
    workspace_id uuid        NOT NULL,
    lead_id      uuid,
    contact_id   uuid,
    email        text,
    CHECK (num_nonnulls(lead_id, contact_id, email) = 1)
);
CREATE INDEX lead_score_marks_workspace ON lead_score_marks (workspace_id, id);

CREATE FUNCTION lead_score_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    spaces uuid[];
BEGIN
    IF to_regclass('pgqueuer') IS NULL THEN
        RETURN NULL;
    END IF;
    spaces := ARRAY(
        SELECT DISTINCT c.workspace_id FROM changed c
        WHERE NOT EXISTS (SELECT 1 FROM pgqueuer q WHERE q.dedupe_key = 'lead_scoring.rescore:' || c.workspace_id
                          AND q.status = 'queued'::pgqueuer_status));
    IF cardinality(spaces) = 0 THEN
        RETURN NULL;
    END IF;
    INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, dedupe_key, status)
    SELECT 0, 'lead_scoring.rescore', convert_to(json_build_object('workspace', s)::text, 'UTF8'),
           now() + interval '1 second', 'lead_scoring.rescore:' || s, 'queued'
    FROM unnest(spaces) s
    ON CONFLICT (dedupe_key)
        WHERE ((status = ANY (ARRAY['queued'::pgqueuer_status, 'picked'::pgqueuer_status]))
               AND (dedupe_key IS NOT NULL))
        DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER lead_score_marks_queued AFTER INSERT ON lead_score_marks
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION lead_score_enqueue();

-- A lead added or edited.
CREATE FUNCTION lead_score_mark_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lead_score_marks (workspace_id, lead_id) VALUES (NEW.workspace_id, NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER leads_scored AFTER INSERT OR UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION lead_score_mark_lead();

-- A contact added or edited (not every save: only what the rules read).
CREATE FUNCTION lead_score_mark_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.fields IS DISTINCT FROM OLD.fields OR NEW.labels IS DISTINCT FROM OLD.labels
       OR NEW.emails IS DISTINCT FROM OLD.emails OR NEW.address IS DISTINCT FROM OLD.address
       OR NEW.job_title IS DISTINCT FROM OLD.job_title OR NEW.organisation_id IS DISTINCT FROM OLD.organisation_id THEN
        INSERT INTO lead_score_marks (workspace_id, contact_id) VALUES (NEW.workspace_id, NEW.id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER contacts_scored AFTER INSERT OR UPDATE ON contacts FOR EACH ROW
    EXECUTE FUNCTION lead_score_mark_contact();

-- A person's open or click of a tracked mail: its recipients' addresses, and the contacts it is filed under.
CREATE FUNCTION lead_score_mark_tracking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.proxy THEN
        RETURN NULL;
    END IF;
    INSERT INTO lead_score_marks (workspace_id, email)
    SELECT m.workspace_id, lower(a) FROM email_messages m, unnest(m.to_addresses) a WHERE m.id = NEW.email_id;
    INSERT INTO lead_score_marks (workspace_id, contact_id)
    SELECT m.workspace_id, l.contact_id FROM email_links l JOIN email_messages m ON m.id = l.email_id
    WHERE l.email_id = NEW.email_id AND l.contact_id IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER email_events_scored AFTER INSERT ON email_events FOR EACH ROW
    EXECUTE FUNCTION lead_score_mark_tracking();

-- A mail received (a reply): its sender's address; once filed under a contact, that contact.
CREATE FUNCTION lead_score_mark_received() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.direction = 'in' THEN
        INSERT INTO lead_score_marks (workspace_id, email) VALUES (NEW.workspace_id, lower(NEW.from_address));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER email_messages_scored AFTER INSERT ON email_messages FOR EACH ROW
    EXECUTE FUNCTION lead_score_mark_received();

CREATE FUNCTION lead_score_mark_filed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.contact_id IS NOT NULL THEN
        INSERT INTO lead_score_marks (workspace_id, contact_id)
        SELECT m.workspace_id, NEW.contact_id FROM email_messages m WHERE m.id = NEW.email_id AND m.direction = 'in';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER email_links_scored AFTER INSERT ON email_links FOR EACH ROW EXECUTE FUNCTION lead_score_mark_filed();

-- A meeting booked: the guest's address in the booking link's workspace.
CREATE FUNCTION lead_score_mark_booking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lead_score_marks (workspace_id, email)
    SELECT l.workspace_id, lower(NEW.guest_email) FROM booking_links l WHERE l.id = NEW.link_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER bookings_scored AFTER INSERT ON bookings FOR EACH ROW EXECUTE FUNCTION lead_score_mark_booking();

-- An activity with a contact done (or undone).
CREATE FUNCTION lead_score_mark_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.contact_id IS NOT NULL AND NEW.done
       AND (TG_OP = 'INSERT' OR NOT OLD.done OR OLD.contact_id IS DISTINCT FROM NEW.contact_id) THEN
        INSERT INTO lead_score_marks (workspace_id, contact_id) VALUES (NEW.workspace_id, NEW.contact_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER activities_scored AFTER INSERT OR UPDATE ON activities FOR EACH ROW
    EXECUTE FUNCTION lead_score_mark_activity();
