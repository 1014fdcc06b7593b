-- The language a user chose in the app (issue 14), so it follows them to every browser they sign in from.
-- NULL: never chosen; the app follows the browser's languages.
ALTER TABLE users ADD COLUMN locale text CHECK (locale IN ('en', 'de'));
