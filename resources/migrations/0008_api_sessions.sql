-- AskPro schema, version 8 (admin API, issue 15): signed-in sessions of the admin API, users that belong to
-- one company (the customer portal's business roles), and audit rows that name the company acted for.

-- The role list grows by the business roles. SQLite cannot change a CHECK constraint in place, but it can
-- drop a column together with its own constraint: the role moves to a new column with the new list.
/*sqlite*/ ALTER TABLE users RENAME COLUMN role TO role_before_8;
/*sqlite*/ ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'support'
    CHECK (role IN ('admin', 'owner', 'support', 'onboarding', 'company_owner', 'company_staff'));
/*sqlite*/ UPDATE users SET role = role_before_8;
/*sqlite*/ ALTER TABLE users DROP COLUMN role_before_8;
/*postgres*/ ALTER TABLE users DROP CONSTRAINT users_role_check;
/*postgres*/ ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'owner', 'support', 'onboarding', 'company_owner', 'company_staff'));

-- Business accounts belong to one company; platform staff (no company) see every company. The business
-- roles exist only with a company and the platform roles only without one.
/*sqlite*/ ALTER TABLE users ADD COLUMN company_id BIGINT REFERENCES companies(id)
    CHECK ((company_id IS NULL) = (role IN ('admin', 'owner', 'support', 'onboarding')));
/*postgres*/ ALTER TABLE users ADD COLUMN company_id BIGINT REFERENCES companies(id);
/*postgres*/ ALTER TABLE users ADD CONSTRAINT users_company_role
    CHECK ((company_id IS NULL) = (role IN ('admin', 'owner', 'support', 'onboarding')));
CREATE INDEX users_company ON users(company_id);

-- One row per signed-in device. Only a hash of the bearer token is stored, so a copy of the database signs
-- nobody in. A session ends (ended_at, end_reason) at sign-out, revocation, a password or role change or
-- deactivation; it expires after idle_expires_at (moved on with use) or expires_at (fixed at sign-in).
CREATE TABLE sessions (
    id @ID@,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    client_name TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    idle_expires_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id, ended_at);

ALTER TABLE audit_log ADD COLUMN company_id BIGINT REFERENCES companies(id);
CREATE INDEX audit_log_company ON audit_log(company_id, at);
