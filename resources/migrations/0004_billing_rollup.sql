-- AskPro schema, version 4 (billing, issue 6): month-wide invoice runs and usage charts that read
-- daily totals instead of millions of usage rows.

-- The invoice run links and sums a whole month at once: it finds the month's rows by time.
CREATE INDEX usage_logs_occurred ON usage_logs(occurred_at);

-- Kind and unit price in the company index let a company's month be summed from the index alone.
DROP INDEX usage_logs_company_time;
CREATE INDEX usage_logs_company_time ON usage_logs(company_id, occurred_at, kind, unit_price_cents);

-- Usage per company and Europe/Berlin calendar day (day = days since 1970-01-01 of the local date), written
-- in the transaction that writes the usage row (UsageRollup). One row holds both kinds, so a year of
-- all companies is 365 rows per company, read through usage_daily_day without touching the table.
CREATE TABLE usage_daily (
    company_id BIGINT NOT NULL REFERENCES companies(id),
    day INTEGER NOT NULL,
    calls BIGINT NOT NULL DEFAULT 0,
    appointments BIGINT NOT NULL DEFAULT 0,
    call_cents BIGINT NOT NULL DEFAULT 0,
    appointment_cents BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (company_id, day)
);
CREATE INDEX usage_daily_day ON usage_daily(day, calls, appointments);

-- Backfill. SQL has no portable time zone conversion, so the Europe/Berlin summer time periods
-- [starts_at, ends_at) of 1996-2037 (UTC ms, EU rule: last Sunday of March and of October, 01:00 UTC)
-- sit in a scratch table; offsets change only on whole UTC hours, so usage is summed per hour first.
CREATE TABLE billing_zone_summer (starts_at BIGINT PRIMARY KEY, ends_at BIGINT NOT NULL);
INSERT INTO billing_zone_summer (starts_at, ends_at) VALUES
    (828234000000, 846378000000), (859683600000, 877827600000), (891133200000, 909277200000),
    (922582800000, 941331600000), (954032400000, 972781200000), (985482000000, 1004230800000),
    (1017536400000, 1035680400000), (1048986000000, 1067130000000), (1080435600000, 1099184400000),
    (1111885200000, 1130634000000), (1143334800000, 1162083600000), (1174784400000, 1193533200000),
    (1206838800000, 1224982800000), (1238288400000, 1256432400000), (1269738000000, 1288486800000),
    (1301187600000, 1319936400000), (1332637200000, 1351386000000), (1364691600000, 1382835600000),
    (1396141200000, 1414285200000), (1427590800000, 1445734800000), (1459040400000, 1477789200000),
    (1490490000000, 1509238800000), (1521939600000, 1540688400000), (1553994000000, 1572138000000),
    (1585443600000, 1603587600000), (1616893200000, 1635642000000), (1648342800000, 1667091600000),
    (1679792400000, 1698541200000), (1711846800000, 1729990800000), (1743296400000, 1761440400000),
    (1774746000000, 1792890000000), (1806195600000, 1824944400000), (1837645200000, 1856394000000),
    (1869094800000, 1887843600000), (1901149200000, 1919293200000), (1932598800000, 1950742800000),
    (1964048400000, 1982797200000), (1995498000000, 2014246800000), (2026947600000, 2045696400000),
    (2058397200000, 2077146000000), (2090451600000, 2108595600000), (2121901200000, 2140045200000);

INSERT INTO usage_daily (company_id, day, calls, appointments, call_cents, appointment_cents)
SELECT d.company_id, d.day, CAST(SUM(d.calls) AS BIGINT), CAST(SUM(d.appointments) AS BIGINT),
       CAST(SUM(d.call_cents) AS BIGINT), CAST(SUM(d.appointment_cents) AS BIGINT)
FROM (
    SELECT h.company_id,
           (h.hour * 3600000 + CASE WHEN EXISTS (SELECT 1 FROM billing_zone_summer s
                                                 WHERE s.starts_at <= h.hour * 3600000 AND s.ends_at > h.hour * 3600000)
                                    THEN 7200000 ELSE 3600000 END) / 86400000 AS day,
           h.calls, h.appointments, h.call_cents, h.appointment_cents
    FROM (
        SELECT company_id, occurred_at / 3600000 AS hour,
               SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END) AS calls,
               SUM(CASE WHEN kind = 'appointment' THEN 1 ELSE 0 END) AS appointments,
               SUM(CASE WHEN kind = 'call' THEN unit_price_cents ELSE 0 END) AS call_cents,
               SUM(CASE WHEN kind = 'appointment' THEN unit_price_cents ELSE 0 END) AS appointment_cents
        FROM usage_logs
        GROUP BY company_id, occurred_at / 3600000
    ) h
) d
GROUP BY d.company_id, d.day;

DROP TABLE billing_zone_summer;
