-- AskPro schema, version 9 (demo month, issue 18): timeline entries are stored as a code with named arguments,
-- so each client words them in its own language. Rows written before keep their code empty and are shown by
-- their message; new rows keep an English message too, for logs, exports and clients that do not know a code.
ALTER TABLE call_events ADD COLUMN code TEXT NOT NULL DEFAULT '';
-- A JSON object of the code's named arguments (backend/flow/timeline.h lists them); '' for older rows.
ALTER TABLE call_events ADD COLUMN args TEXT NOT NULL DEFAULT '';
