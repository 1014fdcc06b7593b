-- Throttling of sign-in, sign-up and password reset (issue 13): one row per counted key, so an
-- attempt is counted and judged in one statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE),
-- before any password is hashed; concurrent attempts queue on the row and each sees the count
-- the one before left. Replaces sign_in_failures, which was counted after hashing (raceable) and
-- per e-mail (anyone could lock anyone out).
CREATE TABLE auth_throttle (
    scope    text        NOT NULL,  -- sign_in, sign_in_address, sign_up_address, reset, reset_address
    key      text        NOT NULL,  -- "<e-mail> <address>", "<address>" or "<e-mail>"
    attempts integer     NOT NULL,
    last_at  timestamptz NOT NULL,  -- the last attempt counted (refused ones are not)
    PRIMARY KEY (scope, key)
);
CREATE INDEX auth_throttle_last_at ON auth_throttle (last_at);

DROP TABLE sign_in_failures;
