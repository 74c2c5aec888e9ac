-- AskPro schema, version 14 (issue 17): confirmations by SMS beside e-mail. The notifications outbox stays the
-- one log of what was sent: each row names its channel, the provider's message id and how far delivery got.
-- channel: email | sms | whatsapp.
ALTER TABLE notifications ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms', 'whatsapp'));
-- The provider's id of the message (Twilio's SM… sid); empty until the provider accepted it.
ALTER TABLE notifications ADD COLUMN provider_id TEXT NOT NULL DEFAULT '';
-- Delivery as the provider reports it: queued → sent → delivered | undelivered | failed. It only moves forward
-- (callbacks arrive out of order); status_at is when it last moved, error_code the provider's own (e.g. 30003).
ALTER TABLE notifications ADD COLUMN provider_status TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN error_code TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN status_at BIGINT;
-- Why a message was recorded but not sent (status 'skipped'): landline, opted_out, no_number, no_credentials.
ALTER TABLE notifications ADD COLUMN skip_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX notifications_provider_id ON notifications (provider_id) WHERE provider_id <> '';
-- The customer's own choices: opted out of SMS (by replying STOP) and since when, the channel they prefer
-- (auto: SMS to a mobile number plus e-mail when known), and a mobile number for messages when caller ID is a landline.
ALTER TABLE customers ADD COLUMN sms_opt_out INTEGER NOT NULL DEFAULT 0 CHECK (sms_opt_out IN (0, 1));
ALTER TABLE customers ADD COLUMN sms_opt_out_at BIGINT;
ALTER TABLE customers ADD COLUMN preferred_channel TEXT NOT NULL DEFAULT 'auto'
    CHECK (preferred_channel IN ('auto', 'email', 'sms', 'whatsapp', 'none'));
ALTER TABLE customers ADD COLUMN message_phone_e164 TEXT NOT NULL DEFAULT '';
