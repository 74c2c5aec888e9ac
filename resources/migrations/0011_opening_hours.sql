-- AskPro schema, version 11 (issue 16): opening hours belong to the branch, so the voice agent can tell a caller
-- when the business is open and availability never offers a time when it is closed; a company's fallback
-- announcement is what a caller of an inactive branch hears instead of silence.
-- Weekly hours in the branch's own time zone: several intervals a day (a lunch break is two rows); a weekday
-- without rows is closed. Minutes since local midnight, so a DST day keeps its wall-clock hours.
CREATE TABLE branch_opening_hours (
    id @ID@,
    branch_id BIGINT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO 8601: 1 is Monday
    opens_minute INTEGER NOT NULL CHECK (opens_minute >= 0 AND opens_minute < 1440),
    closes_minute INTEGER NOT NULL CHECK (closes_minute > opens_minute AND closes_minute <= 1440)
);
CREATE INDEX branch_opening_hours_branch ON branch_opening_hours (branch_id, weekday, opens_minute);
-- Closures and public holidays: whole local days, first_day to last_day inclusive, as YYYY-MM-DD (text compares
-- in date order on both engines).
CREATE TABLE branch_closures (
    id @ID@,
    branch_id BIGINT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    first_day TEXT NOT NULL CHECK (length(first_day) = 10),
    last_day TEXT NOT NULL CHECK (length(last_day) = 10 AND last_day >= first_day),
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX branch_closures_branch ON branch_closures (branch_id, last_day);
-- Spoken to callers of an inactive branch of the company; empty: the agent's generic closed message.
ALTER TABLE companies ADD COLUMN fallback_announcement TEXT NOT NULL DEFAULT '';
