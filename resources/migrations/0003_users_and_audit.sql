-- AskPro schema, version 3 (users, roles, audit, secrets; issue 8): sign-in lockout, who did what, an
-- audit trail the database itself keeps append-only, and webhook secrets that stay valid while rotated.

-- Consecutive failed sign-ins; at five the account is locked until locked_until (UTC ms).
ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until BIGINT;
ALTER TABLE users ADD COLUMN password_changed_at BIGINT;
CREATE INDEX audit_log_user ON audit_log(user_id, at);
CREATE INDEX audit_log_action ON audit_log(action, at);

-- The secret a rotation replaced keeps verifying webhooks until previous_valid_until, so deliveries
-- signed before the provider learnt the new secret are not refused.
ALTER TABLE api_credentials ADD COLUMN previous_secret_nonce @BLOB@;
ALTER TABLE api_credentials ADD COLUMN previous_secret_ciphertext @BLOB@;
ALTER TABLE api_credentials ADD COLUMN previous_webhook_secret_nonce @BLOB@;
ALTER TABLE api_credentials ADD COLUMN previous_webhook_secret_ciphertext @BLOB@;
ALTER TABLE api_credentials ADD COLUMN previous_valid_until BIGINT;
ALTER TABLE api_credentials ADD COLUMN webhook_hint TEXT NOT NULL DEFAULT '';

-- Append-only: no code path updates or deletes audit rows, and the database refuses it as well.
/*sqlite*/ CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
/*sqlite*/ CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
/*postgres*/ CREATE FUNCTION askpro_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
/*postgres*/ CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION askpro_audit_log_append_only();
