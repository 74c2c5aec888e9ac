-- AskPro schema, version 17 (issue 16): a test call proves itself with a secret the server chose, never with a
-- marker any caller could put into a call's metadata. The window a placed test call opens holds that nonce; the
-- first call that brings it back (for the window's branch, while open) consumes the window, so a copied nonce
-- is worth nothing and the call that reuses it is billed like any other.
ALTER TABLE test_call_windows ADD COLUMN nonce TEXT;
ALTER TABLE test_call_windows ADD COLUMN matched_call_id TEXT;
CREATE UNIQUE INDEX test_call_windows_nonce ON test_call_windows (nonce);
