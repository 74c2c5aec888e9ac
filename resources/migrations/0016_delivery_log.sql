-- AskPro schema, version 16 (issue 17): the delivery log reads the notifications outbox newest first, for every
-- company or one: keyset pages on (created_at, id), with the company in front for a business account's pages.
CREATE INDEX notifications_created ON notifications (created_at, id);
CREATE INDEX notifications_company_created ON notifications (company_id, created_at, id);
