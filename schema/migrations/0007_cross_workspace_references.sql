-- Records name only records of their own workspace (issue 13, item 3).
--
-- Writes now refuse a contact or organisation of another workspace (422). A contact could be given
-- another workspace's organisation before; its name then showed in the contact's answers and
-- search. Such links are cleared here. Deals and activities name contacts inside board documents:
-- those are not rewritten (the documents are the truth and a client may write any id), and every
-- read joins contacts and organisations on the record's own workspace instead.
UPDATE contacts c SET organisation_id = NULL
FROM organisations o
WHERE o.id = c.organisation_id AND o.workspace_id <> c.workspace_id;
