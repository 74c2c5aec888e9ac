-- Indexes for the admin app's browsers (issue 4), measured over 1,000,000 calls (docs/benchmarks.md).
-- The call browser pages through calls newest first by COALESCE(started_at, created_at), ties by id; these
-- indexes serve that order alone and under its filters (outcome, branch, company, date range) without a sort.
CREATE INDEX calls_time ON calls ((COALESCE(started_at, created_at)), id);
CREATE INDEX calls_outcome_time ON calls (outcome, (COALESCE(started_at, created_at)), id);
CREATE INDEX calls_branch_time ON calls (branch_id, (COALESCE(started_at, created_at)), id);
CREATE INDEX calls_company_time ON calls (company_id, (COALESCE(started_at, created_at)), id);

-- The pages' change polls read MAX(id) and the latest change of a table: one index lookup each.
CREATE INDEX calls_updated ON calls (updated_at);
CREATE INDEX appointments_updated ON appointments (updated_at);
CREATE INDEX customers_updated ON customers (updated_at);
CREATE INDEX webhook_inbox_processed ON webhook_inbox (processed_at);
