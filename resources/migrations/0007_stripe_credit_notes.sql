-- AskPro schema, version 7 (billing, issue 6): credit notes reach Stripe as credit notes of the invoice
-- they correct. Their Stripe object is a credit note (cn_...), not an invoice, hence a column of its own.
ALTER TABLE invoices ADD COLUMN stripe_credit_note_id TEXT;
CREATE UNIQUE INDEX invoices_stripe_credit_note ON invoices(stripe_credit_note_id) WHERE stripe_credit_note_id IS NOT NULL;
