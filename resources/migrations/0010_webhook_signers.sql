-- AskPro schema, version 10 (issue 20): a delivery acts only for whoever signed it, and an old event never
-- overrides a newer change. webhook_inbox.status gains 'not_ours' (signed, but naming another company's objects:
-- acknowledged without effect) and 'stale' (too old to apply); error holds the reason for support.
-- Whose key signed the delivery: 'platform' (the platform's own key; companies whose key is the same may be
-- listed too), 'company', or '' for rows stored before signers were recorded, which act for no company.
ALTER TABLE webhook_inbox ADD COLUMN signed_scope TEXT NOT NULL DEFAULT '';
-- The signing company when exactly one company holds the key; NULL for the platform, several or unknown.
ALTER TABLE webhook_inbox ADD COLUMN signed_by BIGINT REFERENCES companies(id);
-- Every company whose key matched, comma-separated: companies on one provider account share its webhook secret.
ALTER TABLE webhook_inbox ADD COLUMN signed_companies TEXT NOT NULL DEFAULT '';
-- When the appointment's status or time last changed, in the provider's clock where a provider event changed
-- it: an event created before that never applies.
ALTER TABLE appointments ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE appointments SET changed_at = updated_at;
