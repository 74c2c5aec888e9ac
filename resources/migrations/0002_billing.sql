-- AskPro schema, version 2 (billing, issue 6): what an invoice was issued to, kept with the invoice so a
-- re-rendered document never changes, and what Stripe holds for it (for the reconciliation report).

-- JSON {"seller": {...}, "buyer": {...}} as it was when the invoice was finalized.
ALTER TABLE invoices ADD COLUMN billing_snapshot TEXT NOT NULL DEFAULT '';
-- A credit note's reason; shown on the document.
ALTER TABLE invoices ADD COLUMN note TEXT NOT NULL DEFAULT '';
-- Stripe's total for its invoice once pushed, and when that was.
ALTER TABLE invoices ADD COLUMN stripe_total_cents BIGINT;
ALTER TABLE invoices ADD COLUMN stripe_pushed_at BIGINT;
