-- AskPro schema, version 13 (issue 19): customers imported from a practice's own list (CSV). Every apply is one
-- import run; import_sources remembers, per company, source system and source key, which customer a source row
-- became and the values last imported, so that a second run creates nothing and updates only what changed at
-- the source and was left alone in AskPro since.
-- state: applying | applied | failed (undone: nothing of the run is left)
CREATE TABLE import_runs (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    source_system TEXT NOT NULL,
    source_name TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'applying',
    actor TEXT NOT NULL DEFAULT '',
    mapping_json TEXT NOT NULL DEFAULT '',
    created_count BIGINT NOT NULL DEFAULT 0,
    updated_count BIGINT NOT NULL DEFAULT 0,
    unchanged_count BIGINT NOT NULL DEFAULT 0,
    skipped_count BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX import_runs_company ON import_runs(company_id, started_at);

-- created_customer: the run run_id created the customer (undoing the run deletes it); otherwise it linked an
-- existing one. previous_json: the customer's and the source's values before the update of updated_run_id,
-- which undoing that run puts back.
CREATE TABLE import_sources (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    source_system TEXT NOT NULL,
    source_key TEXT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    last_values_json TEXT NOT NULL,
    run_id BIGINT NOT NULL REFERENCES import_runs(id),
    created_customer INTEGER NOT NULL DEFAULT 0,
    updated_run_id BIGINT REFERENCES import_runs(id),
    previous_json TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (company_id, source_system, source_key)
);
CREATE INDEX import_sources_customer ON import_sources(customer_id);
CREATE INDEX import_sources_run ON import_sources(run_id);
CREATE INDEX import_sources_updated_run ON import_sources(updated_run_id);

-- A practice's notes on a customer come along with the list; the e-mail index finds duplicates by address.
ALTER TABLE customers ADD COLUMN notes TEXT NOT NULL DEFAULT '';
CREATE INDEX customers_company_email ON customers(company_id, email);

-- A file sent through the admin API in chunks (each at most a request body), read back as one stream by the
-- dry run and the apply. state: open | applying | applied.
CREATE TABLE import_uploads (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    file_name TEXT NOT NULL DEFAULT '',
    mapping_json TEXT NOT NULL DEFAULT '',
    bytes BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'open',
    run_id BIGINT REFERENCES import_runs(id),
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX import_uploads_company ON import_uploads(company_id);
CREATE TABLE import_chunks (
    upload_id BIGINT NOT NULL REFERENCES import_uploads(id) ON DELETE CASCADE,
    start_offset BIGINT NOT NULL,
    data @BLOB@ NOT NULL,
    PRIMARY KEY (upload_id, start_offset)
);
