-- AskPro schema, version 1: every table of the product, portable between SQLite and PostgreSQL.
-- @ID@ and @BLOB@ are replaced per engine; times are UTC milliseconds since the epoch, money integer cents.

-- ===== core =====
CREATE TABLE companies (
    id @ID@,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    vat_id TEXT NOT NULL DEFAULT '',
    tax_number TEXT NOT NULL DEFAULT '',
    billing_email TEXT NOT NULL DEFAULT '',
    default_language TEXT NOT NULL DEFAULT 'de',
    supported_languages TEXT NOT NULL DEFAULT 'de',
    vat_rate_bp INTEGER NOT NULL DEFAULT 1900 CHECK (vat_rate_bp >= 0),
    base_fee_cents BIGINT NOT NULL DEFAULT 9900 CHECK (base_fee_cents >= 0),
    call_price_cents BIGINT NOT NULL DEFAULT 50 CHECK (call_price_cents >= 0),
    appointment_price_cents BIGINT NOT NULL DEFAULT 200 CHECK (appointment_price_cents >= 0),
    active INTEGER NOT NULL DEFAULT 1,
    live_since BIGINT,
    stripe_customer_id TEXT UNIQUE,
    calcom_team_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE branches (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    phone_e164 TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'Europe/Berlin',
    language TEXT NOT NULL DEFAULT 'de',
    active INTEGER NOT NULL DEFAULT 1,
    retell_agent_id TEXT,
    retell_llm_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX branches_active_phone ON branches(phone_e164) WHERE active = 1;
CREATE INDEX branches_company ON branches(company_id);

CREATE TABLE staff (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    branch_id BIGINT REFERENCES branches(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    calcom_user_id BIGINT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, email)
);
CREATE INDEX staff_branch ON staff(branch_id);

CREATE TABLE services (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    price_cents BIGINT NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, name)
);

CREATE TABLE customers (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    phone_e164 TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (company_id, phone_e164)
);
CREATE INDEX customers_name ON customers(name);

-- ===== communication =====
-- outcome: pending | booked | no_request | needs_callback | failed
CREATE TABLE calls (
    id @ID@,
    retell_call_id TEXT NOT NULL UNIQUE,
    company_id BIGINT REFERENCES companies(id),
    branch_id BIGINT REFERENCES branches(id),
    customer_id BIGINT REFERENCES customers(id),
    agent_id TEXT NOT NULL DEFAULT '',
    call_type TEXT NOT NULL DEFAULT 'phone_call',
    direction TEXT NOT NULL DEFAULT 'inbound',
    from_number TEXT NOT NULL DEFAULT '',
    to_number TEXT NOT NULL DEFAULT '',
    started_at BIGINT,
    ended_at BIGINT,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    call_status TEXT NOT NULL DEFAULT '',
    disconnection_reason TEXT NOT NULL DEFAULT '',
    transcript TEXT NOT NULL DEFAULT '',
    transcript_json TEXT NOT NULL DEFAULT '',
    recording_url TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    sentiment TEXT NOT NULL DEFAULT '',
    call_successful INTEGER,
    cost_cents BIGINT NOT NULL DEFAULT 0,
    appointment_requested INTEGER NOT NULL DEFAULT 0,
    request_json TEXT NOT NULL DEFAULT '',
    alternatives_json TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT 'pending',
    failure_kind TEXT NOT NULL DEFAULT '',
    failure_reason TEXT NOT NULL DEFAULT '',
    resolved_at BIGINT,
    resolved_by BIGINT,
    resolution_comment TEXT NOT NULL DEFAULT '',
    raw_payload TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX calls_branch_started ON calls(branch_id, started_at);
CREATE INDEX calls_started ON calls(started_at);
CREATE INDEX calls_company_started ON calls(company_id, started_at);
CREATE INDEX calls_outcome_started ON calls(outcome, started_at);
CREATE INDEX calls_customer ON calls(customer_id);

-- The call's processing timeline: one row per step, error and retry.
CREATE TABLE call_events (
    id @ID@,
    call_id BIGINT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    step TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX call_events_call ON call_events(call_id, at);

-- Every acknowledged webhook, raw, before the 2xx goes out. status: pending | processed | failed | ignored
CREATE TABLE webhook_inbox (
    id @ID@,
    provider TEXT NOT NULL,
    event_type TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    signature_ok INTEGER NOT NULL,
    body @BLOB@ NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    processed_at BIGINT,
    error TEXT NOT NULL DEFAULT '',
    call_id BIGINT REFERENCES calls(id),
    delivery_count INTEGER NOT NULL DEFAULT 1,
    UNIQUE (provider, dedupe_key)
);
CREATE INDEX webhook_inbox_received ON webhook_inbox(received_at);
CREATE INDEX webhook_inbox_call ON webhook_inbox(call_id);

-- ===== appointments =====
-- status: booked | cancelled | rescheduled | no_show | completed; sync_state: synced | pending | failed
CREATE TABLE appointments (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    branch_id BIGINT NOT NULL REFERENCES branches(id),
    customer_id BIGINT REFERENCES customers(id),
    staff_id BIGINT REFERENCES staff(id),
    service_id BIGINT REFERENCES services(id),
    call_id BIGINT UNIQUE REFERENCES calls(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'booked',
    calcom_booking_uid TEXT UNIQUE,
    calcom_booking_id BIGINT,
    sync_state TEXT NOT NULL DEFAULT 'pending',
    sync_error TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'phone',
    notes TEXT NOT NULL DEFAULT '',
    cancellation_reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX appointments_starts ON appointments(starts_at);
CREATE INDEX appointments_branch_starts ON appointments(branch_id, starts_at);
CREATE INDEX appointments_staff_starts ON appointments(staff_id, starts_at);
CREATE INDEX appointments_customer ON appointments(customer_id);

-- Outgoing messages. status: queued | sent | failed
CREATE TABLE notifications (
    id @ID@,
    company_id BIGINT REFERENCES companies(id),
    call_id BIGINT REFERENCES calls(id),
    appointment_id BIGINT REFERENCES appointments(id),
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'de',
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    attachment_name TEXT NOT NULL DEFAULT '',
    attachment_type TEXT NOT NULL DEFAULT '',
    attachment @BLOB@,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX notifications_status ON notifications(status, created_at);

-- ===== integrations =====
-- company_id NULL holds the platform's own account (for example our Stripe key).
CREATE TABLE api_credentials (
    id @ID@,
    company_id BIGINT REFERENCES companies(id),
    provider TEXT NOT NULL,
    base_url TEXT NOT NULL DEFAULT '',
    secret_nonce @BLOB@ NOT NULL,
    secret_ciphertext @BLOB@ NOT NULL,
    webhook_secret_nonce @BLOB@,
    webhook_secret_ciphertext @BLOB@,
    hint TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    rotated_at BIGINT
);
CREATE UNIQUE INDEX api_credentials_company_provider ON api_credentials(company_id, provider) WHERE company_id IS NOT NULL;
CREATE UNIQUE INDEX api_credentials_platform_provider ON api_credentials(provider) WHERE company_id IS NULL;

CREATE TABLE event_type_mappings (
    id @ID@,
    branch_id BIGINT NOT NULL REFERENCES branches(id),
    service_id BIGINT NOT NULL REFERENCES services(id),
    calcom_event_type_id BIGINT NOT NULL,
    UNIQUE (branch_id, service_id)
);

-- Free slots per Cal.com event type and day, kept fresh by booking webhooks and a short expiry.
CREATE TABLE slot_cache (
    event_type_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    slots TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (event_type_id, day)
);

-- A setup wizard run: its progress and what it created at each provider, so it can resume or clean up.
CREATE TABLE setup_runs (
    id @ID@,
    company_id BIGINT REFERENCES companies(id),
    status TEXT NOT NULL DEFAULT 'running',
    step TEXT NOT NULL DEFAULT '',
    input TEXT NOT NULL DEFAULT '',
    resources TEXT NOT NULL DEFAULT '[]',
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- ===== billing =====
CREATE TABLE subscriptions (
    id @ID@,
    company_id BIGINT NOT NULL UNIQUE REFERENCES companies(id),
    stripe_subscription_id TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'active',
    base_fee_cents BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT
);

CREATE TABLE invoices (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL DEFAULT 'invoice',
    number TEXT UNIQUE,
    year INTEGER NOT NULL,
    sequence INTEGER,
    corrects_invoice_id BIGINT REFERENCES invoices(id),
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    issued_at BIGINT,
    due_at BIGINT,
    status TEXT NOT NULL DEFAULT 'draft',
    currency TEXT NOT NULL DEFAULT 'EUR',
    net_cents BIGINT NOT NULL DEFAULT 0,
    vat_rate_bp INTEGER NOT NULL,
    vat_cents BIGINT NOT NULL DEFAULT 0,
    gross_cents BIGINT NOT NULL DEFAULT 0,
    language TEXT NOT NULL DEFAULT 'de',
    stripe_invoice_id TEXT UNIQUE,
    paid_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (year, sequence)
);
CREATE UNIQUE INDEX invoices_company_period ON invoices(company_id, period_start) WHERE kind = 'invoice';
CREATE INDEX invoices_status ON invoices(status, issued_at);

CREATE TABLE invoice_lines (
    id @ID@,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    UNIQUE (invoice_id, position)
);

-- One row per billable event; prices copied from the plan at the time. kind: call | appointment
CREATE TABLE usage_logs (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    branch_id BIGINT REFERENCES branches(id),
    kind TEXT NOT NULL,
    call_id BIGINT REFERENCES calls(id),
    appointment_id BIGINT REFERENCES appointments(id),
    unit_price_cents BIGINT NOT NULL,
    occurred_at BIGINT NOT NULL,
    invoice_id BIGINT REFERENCES invoices(id),
    CHECK ((kind = 'call' AND call_id IS NOT NULL) OR (kind = 'appointment' AND appointment_id IS NOT NULL))
);
CREATE UNIQUE INDEX usage_logs_call ON usage_logs(call_id) WHERE kind = 'call';
CREATE UNIQUE INDEX usage_logs_appointment ON usage_logs(appointment_id) WHERE kind = 'appointment';
CREATE INDEX usage_logs_company_time ON usage_logs(company_id, occurred_at);

-- Payment history of an invoice: Stripe events and manual markings. kind: paid | failed | manual_paid | refunded
CREATE TABLE payments (
    id @ID@,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    amount_cents BIGINT NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    stripe_event_id TEXT UNIQUE,
    user_id BIGINT
);
CREATE INDEX payments_invoice ON payments(invoice_id, at);

-- ===== operations =====
CREATE TABLE users (
    id @ID@,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'owner', 'support', 'onboarding')),
    language TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    last_login_at BIGINT
);

-- Durable work queue. status: queued | running | done | failed
CREATE TABLE jobs (
    id @ID@,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    run_after BIGINT NOT NULL,
    locked_by TEXT,
    locked_at BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_ready ON jobs(status, run_after);

CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    jobs_done BIGINT NOT NULL DEFAULT 0
);

-- state: ok | degraded | down
CREATE TABLE health_checks (
    id @ID@,
    check_name TEXT NOT NULL,
    state TEXT NOT NULL,
    latency_ms INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    checked_at BIGINT NOT NULL
);
CREATE INDEX health_checks_name_time ON health_checks(check_name, checked_at);

-- Append-only: who changed what, when, before and after.
CREATE TABLE audit_log (
    id @ID@,
    at BIGINT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    before_json TEXT NOT NULL DEFAULT '',
    after_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

CREATE TABLE saved_views (
    id @ID@,
    user_id BIGINT REFERENCES users(id),
    page TEXT NOT NULL,
    name TEXT NOT NULL,
    filters TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, page, name)
);
