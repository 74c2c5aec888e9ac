-- AskPro schema, version 6 (billing, issue 6): usage rows are linked to their company's billing month
-- when they are recorded, so the monthly run closes one period row per company instead of rewriting
-- every usage row.

-- One row per company and billing month (Europe/Berlin); invoice_id IS NULL while the month is open.
-- The invoice run takes the month's open periods FOR UPDATE and closes them by setting invoice_id;
-- recording takes its period FOR KEY SHARE, so a row is either in the sums or stays unlinked.
CREATE TABLE billing_periods (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    period_start BIGINT NOT NULL,
    invoice_id BIGINT REFERENCES invoices(id),
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, period_start)
);
CREATE INDEX billing_periods_month ON billing_periods(period_start);

-- Backfill. The billing months [starts_at, ends_at) of 1996-2037 in UTC ms sit in a scratch table:
-- PostgreSQL computes them with its time zone database; SQLite has none and applies the EU rule, under
-- which the 1st of April to October starts in summer time (+2 h) and of November to March in winter
-- time (+1 h). Usage outside these years stays unlinked and the invoice run links it.
CREATE TABLE billing_months (starts_at BIGINT PRIMARY KEY, ends_at BIGINT NOT NULL);
/*postgres*/ INSERT INTO billing_months (starts_at, ends_at)
SELECT CAST(EXTRACT(EPOCH FROM (m AT TIME ZONE 'Europe/Berlin')) * 1000 AS BIGINT),
       CAST(EXTRACT(EPOCH FROM ((m + INTERVAL '1 month') AT TIME ZONE 'Europe/Berlin')) * 1000 AS BIGINT)
FROM generate_series(TIMESTAMP '1996-01-01', TIMESTAMP '2037-12-01', INTERVAL '1 month') AS m;
/*sqlite*/ WITH RECURSIVE months(first) AS (
    SELECT '1996-01-01' UNION ALL SELECT date(first, '+1 month') FROM months WHERE first < '2037-12-01'
)
INSERT INTO billing_months (starts_at, ends_at)
SELECT CAST(strftime('%s', first) AS INTEGER) * 1000
           - CASE WHEN CAST(strftime('%m', first) AS INTEGER) BETWEEN 4 AND 10 THEN 7200000 ELSE 3600000 END,
       CAST(strftime('%s', date(first, '+1 month')) AS INTEGER) * 1000
           - CASE WHEN CAST(strftime('%m', date(first, '+1 month')) AS INTEGER) BETWEEN 4 AND 10 THEN 7200000 ELSE 3600000 END
FROM months;

-- A closed period for every invoice of a month, an open one for every company and month with usage on
-- no invoice. Usage on no invoice in a month that was invoiced (it arrived later) stays unlinked.
INSERT INTO billing_periods (company_id, period_start, invoice_id, created_at)
SELECT company_id, period_start, id, created_at FROM invoices WHERE kind = 'invoice';
INSERT INTO billing_periods (company_id, period_start, created_at)
SELECT x.company_id, x.starts_at, x.first_usage FROM (
    SELECT u.company_id, m.starts_at, MIN(u.occurred_at) AS first_usage
    FROM billing_months m CROSS JOIN usage_logs u
    WHERE u.occurred_at >= m.starts_at AND u.occurred_at < m.ends_at AND u.invoice_id IS NULL
    GROUP BY u.company_id, m.starts_at
) x WHERE NOT EXISTS (SELECT 1 FROM billing_periods p WHERE p.company_id = x.company_id AND p.period_start = x.starts_at);

-- PostgreSQL: a new column, each row written once, the old column dropped. Writing every row is the cost
-- issue 6 measured for the old invoice run (index entries and a foreign key check per row), so the
-- secondary indexes are dropped first and made again afterwards, and the foreign key is checked once.
/*postgres*/ ALTER TABLE usage_logs ADD COLUMN period_id BIGINT;
-- Without statistics on the new tables the planner hashes the usage rows and writes them in period order,
-- visiting every page once per company (three times slower than in table order).
/*postgres*/ ANALYZE billing_periods;
/*postgres*/ ANALYZE billing_months;
/*postgres*/ DROP INDEX usage_logs_call;
/*postgres*/ DROP INDEX usage_logs_appointment;
/*postgres*/ DROP INDEX usage_logs_company_time;
/*postgres*/ DROP INDEX usage_logs_occurred;
/*postgres*/ UPDATE usage_logs u SET period_id = p.id FROM billing_periods p WHERE p.invoice_id = u.invoice_id;
/*postgres*/ UPDATE usage_logs u SET period_id = p.id
FROM billing_months m JOIN billing_periods p ON p.period_start = m.starts_at
WHERE u.invoice_id IS NULL AND u.occurred_at >= m.starts_at AND u.occurred_at < m.ends_at
  AND p.company_id = u.company_id AND p.invoice_id IS NULL;
/*postgres*/ ALTER TABLE usage_logs DROP COLUMN invoice_id;
/*postgres*/ ALTER TABLE usage_logs ADD CONSTRAINT usage_logs_period_id_fkey FOREIGN KEY (period_id) REFERENCES billing_periods(id);

-- SQLite cannot drop a column with a foreign key: the table is rebuilt (sqlite.org/lang_altertable.html,
-- "other kinds of table schema changes"), rows linked while copied, ids and the AUTOINCREMENT counter kept;
-- dropping the old table drops its indexes. No table refers to usage_logs.
/*sqlite*/ CREATE TABLE usage_logs_new (
    id @ID@,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    branch_id BIGINT REFERENCES branches(id),
    kind TEXT NOT NULL,
    call_id BIGINT REFERENCES calls(id),
    appointment_id BIGINT REFERENCES appointments(id),
    unit_price_cents BIGINT NOT NULL,
    occurred_at BIGINT NOT NULL,
    period_id BIGINT REFERENCES billing_periods(id),
    CHECK ((kind = 'call' AND call_id IS NOT NULL) OR (kind = 'appointment' AND appointment_id IS NOT NULL))
);
/*sqlite*/ INSERT INTO usage_logs_new (id, company_id, branch_id, kind, call_id, appointment_id, unit_price_cents, occurred_at, period_id)
SELECT u.id, u.company_id, u.branch_id, u.kind, u.call_id, u.appointment_id, u.unit_price_cents, u.occurred_at,
       CASE WHEN u.invoice_id IS NOT NULL
            THEN (SELECT p.id FROM invoices i JOIN billing_periods p ON p.company_id = i.company_id AND p.period_start = i.period_start
                  WHERE i.id = u.invoice_id AND p.invoice_id = i.id)
            ELSE (SELECT p.id FROM billing_periods p WHERE p.company_id = u.company_id AND p.invoice_id IS NULL
                  AND p.period_start = (SELECT m.starts_at FROM billing_months m WHERE m.starts_at <= u.occurred_at
                                        AND m.ends_at > u.occurred_at ORDER BY m.starts_at DESC LIMIT 1))
       END
FROM usage_logs u ORDER BY u.id;
/*sqlite*/ DELETE FROM sqlite_sequence WHERE name = 'usage_logs_new';
/*sqlite*/ UPDATE sqlite_sequence SET name = 'usage_logs_new' WHERE name = 'usage_logs';
/*sqlite*/ DROP TABLE usage_logs;
/*sqlite*/ ALTER TABLE usage_logs_new RENAME TO usage_logs;

-- Every index of usage_logs as of version 5 (0001, 0004), dropped above on both engines, made again once.
CREATE UNIQUE INDEX usage_logs_call ON usage_logs(call_id) WHERE kind = 'call';
CREATE UNIQUE INDEX usage_logs_appointment ON usage_logs(appointment_id) WHERE kind = 'appointment';
CREATE INDEX usage_logs_company_time ON usage_logs(company_id, occurred_at, kind, unit_price_cents);
CREATE INDEX usage_logs_occurred ON usage_logs(occurred_at);
DROP TABLE billing_months;

-- The invoice run sums each period from this index alone (kind and price included).
CREATE INDEX usage_logs_period ON usage_logs(period_id, kind, unit_price_cents);
-- Rows on no period (late usage, rows written around UsageRollup): found without reading the linked ones.
CREATE INDEX usage_logs_unlinked ON usage_logs(occurred_at) WHERE period_id IS NULL;
