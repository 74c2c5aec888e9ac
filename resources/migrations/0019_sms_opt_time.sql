-- AskPro schema, version 19 (issue 17 review): when a customer's SMS opt-out or opt-in was decided (UTC ms),
-- from the STOP/START reply that decided it (the time the server received it) or Twilio's 21610. A reply
-- applies only when it is newer, so a replayed or retried old STOP never undoes a later START. NULL: the
-- customer never replied. Rows opted out before this column existed keep the time of their opt-out.
ALTER TABLE customers ADD COLUMN sms_opt_changed_at BIGINT;
UPDATE customers SET sms_opt_changed_at = sms_opt_out_at WHERE sms_opt_out_at IS NOT NULL;
