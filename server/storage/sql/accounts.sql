-- Users, sessions, password resets, throttling of sign-in, sign-up and reset, the audit log and access events.
-- name: insert_user
INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
ON CONFLICT (email) DO NOTHING
RETURNING id, email, name, password_hash, disabled_at, locale;
-- name: user_by_email
SELECT id, email, name, password_hash, disabled_at, locale FROM users WHERE email = $1;
-- name: user_by_id
SELECT id, email, name, password_hash, disabled_at, locale FROM users WHERE id = $1;
-- name: set_password
UPDATE users SET password_hash = $2 WHERE id = $1;
-- name: set_locale
UPDATE users SET locale = $2 WHERE id = $1;
-- name: disable_user
UPDATE users SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL RETURNING id;
-- name: insert_session
INSERT INTO sessions (token_hash, user_id, expires_at)
VALUES ($1, $2, now() + make_interval(secs => $3))
RETURNING expires_at;
-- name: session_user
SELECT u.id, u.email, u.name, u.locale, s.expires_at
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL;
-- name: delete_session
DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id;
-- name: delete_other_sessions
DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2;
-- name: delete_expired_sessions
DELETE FROM sessions WHERE expires_at <= now();
-- name: insert_reset
INSERT INTO password_resets (token_hash, user_id, expires_at)
VALUES ($1, $2, now() + make_interval(secs => $3));
-- name: take_reset
-- Use the token once; the account's other unused tokens are used up with it (one reset per mail
-- round). FOR UPDATE: a second take of the same token waits, then finds it used.
UPDATE password_resets SET used_at = now()
WHERE used_at IS NULL AND user_id = (
    SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
    FOR UPDATE)
RETURNING user_id;
-- name: throttle_attempt
-- Count one attempt under (scope, key), unless the wait its previous attempts earned is not over:
-- the attempts so far if counted, no row if refused. One statement, so concurrent attempts queue
-- on the row lock and each is judged on the count the one before left. After n attempts the wait
-- is none for n < $3, else $4[n - $3 + 1] (its last entry beyond); $5: forget a key left alone
-- this long (domain/throttle.py: Rule).
INSERT INTO auth_throttle AS t (scope, key, attempts, last_at) VALUES ($1, $2, 1, now())
ON CONFLICT (scope, key) DO UPDATE SET
    attempts = CASE WHEN t.last_at <= now() - make_interval(secs => $5) THEN 1 ELSE t.attempts + 1 END,
    last_at = now()
WHERE t.last_at <= now() - make_interval(secs => $5)
   OR t.attempts < $3
   OR t.last_at + make_interval(secs => ($4::float8[])[least(t.attempts - $3 + 1, cardinality($4::float8[]))])
      <= now()
RETURNING t.attempts;
-- name: throttle_wait
SELECT greatest(1, ceil(extract(epoch FROM t.last_at - now()
    + make_interval(secs => ($4::float8[])[least(t.attempts - $3 + 1, cardinality($4::float8[]))]))))::int
FROM auth_throttle t WHERE t.scope = $1 AND t.key = $2 AND t.attempts >= $3;
-- name: throttle_forgive
DELETE FROM auth_throttle WHERE (scope = $1 AND key = $2) OR last_at < now() - make_interval(secs => $3);
-- name: throttle_refund
UPDATE auth_throttle SET attempts = greatest(attempts - 1, 0) WHERE scope = $1 AND key = $2;
-- name: audit
INSERT INTO audit_events (event, actor_id, subject_id, workspace_id, address, details)
VALUES ($1, $2, $3, $4, $5, $6::jsonb);
-- name: audit_for_workspace
SELECT e.id, e.at, e.event, e.actor_id, e.subject_id, e.address, e.details::text AS details
FROM audit_events e
WHERE e.workspace_id = $1
   OR (e.workspace_id IS NULL AND e.subject_id IN
       (SELECT user_id FROM memberships WHERE workspace_id = $1))
ORDER BY e.id DESC LIMIT $2;
-- name: notify_access
SELECT pg_notify('tandem_access', $1);
