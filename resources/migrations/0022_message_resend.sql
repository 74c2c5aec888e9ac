-- AskPro schema, version 22 (issue 17): a message sent again from the delivery log is a row of its own that names
-- the message it repeats, so the log keeps both deliveries and a second resend waits for the first. An e-mail
-- confirmation kept back because the customer prefers SMS is recorded 'skipped' with the reason 'standby', and
-- queued when the SMS fails for good.
ALTER TABLE notifications ADD COLUMN resend_of BIGINT REFERENCES notifications(id);
CREATE INDEX notifications_resend_of ON notifications (resend_of) WHERE resend_of IS NOT NULL;
CREATE INDEX notifications_appointment ON notifications (appointment_id) WHERE appointment_id IS NOT NULL;
