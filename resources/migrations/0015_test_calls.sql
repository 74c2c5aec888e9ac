-- AskPro schema, version 15 (issue 16): test calls. A call made to try a new branch is marked and never billed:
-- no usage row for it or its appointment, so usage, invoices and the billing checks leave it out.
ALTER TABLE calls ADD COLUMN test_call INTEGER NOT NULL DEFAULT 0;
-- The setup's waiting window for a live test call: the operator's own number calling the branch's number
-- (or the branch calling it) between opens_at and closes_at is that test call.
CREATE TABLE test_call_windows (
    id @ID@,
    branch_id BIGINT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    caller_e164 TEXT NOT NULL,
    opens_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL CHECK (closes_at > opens_at),
    created_at BIGINT NOT NULL
);
CREATE INDEX test_call_windows_branch ON test_call_windows (branch_id, caller_e164, closes_at);
