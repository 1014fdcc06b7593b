-- Leads from e-mail get an owner (docs/leads.md, "By e-mail"): the member a new lead made from mail
-- to the workspace's leads address belongs to, told by the bell. Set to whoever made or regenerated
-- the address; admins change it. Null (never set, or the user deleted): the workspace's first owner.
ALTER TABLE lead_addresses ADD COLUMN owner_id uuid REFERENCES users ON DELETE SET NULL;
