-- AskPro schema, version 18 (issue 19 review): an upload's apply runs as a job of the server's queue, never on
-- the request thread. The upload keeps its dry-run report (computed once per file, dropped when a chunk is
-- added), the job that applies it, the apply's progress and, when it failed, the reason support reads.
-- state: open | queued | applying | applied | failed
ALTER TABLE import_uploads ADD COLUMN report_json TEXT NOT NULL DEFAULT '';
ALTER TABLE import_uploads ADD COLUMN job_id BIGINT;
ALTER TABLE import_uploads ADD COLUMN applied_by TEXT NOT NULL DEFAULT '';
ALTER TABLE import_uploads ADD COLUMN rows_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_uploads ADD COLUMN bytes_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_uploads ADD COLUMN error TEXT NOT NULL DEFAULT '';
CREATE INDEX import_uploads_state ON import_uploads(state);
