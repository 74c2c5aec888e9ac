-- Substring indexes for the call browser's text search (transcript, the call's numbers, the customer's
-- name): SQLite FTS5 with the trigram tokenizer over the rows themselves (external content, kept in step
-- by triggers), PostgreSQL pg_trgm GIN indexes. Both only narrow the search to candidates; the browser's
-- own test on each candidate still decides, so a search finds exactly what it found before, sooner.

/*sqlite*/ CREATE VIRTUAL TABLE calls_text USING fts5(transcript, from_number, to_number, content = 'calls',
    content_rowid = 'id', tokenize = 'trigram');
/*sqlite*/ INSERT INTO calls_text (calls_text) VALUES ('rebuild');
/*sqlite*/ CREATE TRIGGER calls_text_insert AFTER INSERT ON calls BEGIN
    INSERT INTO calls_text (rowid, transcript, from_number, to_number) VALUES (new.id, new.transcript, new.from_number, new.to_number);
END;
/*sqlite*/ CREATE TRIGGER calls_text_delete AFTER DELETE ON calls BEGIN
    INSERT INTO calls_text (calls_text, rowid, transcript, from_number, to_number)
        VALUES ('delete', old.id, old.transcript, old.from_number, old.to_number);
END;
/*sqlite*/ CREATE TRIGGER calls_text_update AFTER UPDATE OF transcript, from_number, to_number ON calls BEGIN
    INSERT INTO calls_text (calls_text, rowid, transcript, from_number, to_number)
        VALUES ('delete', old.id, old.transcript, old.from_number, old.to_number);
    INSERT INTO calls_text (rowid, transcript, from_number, to_number) VALUES (new.id, new.transcript, new.from_number, new.to_number);
END;

/*sqlite*/ CREATE VIRTUAL TABLE customers_text USING fts5(name, content = 'customers', content_rowid = 'id', tokenize = 'trigram');
/*sqlite*/ INSERT INTO customers_text (customers_text) VALUES ('rebuild');
/*sqlite*/ CREATE TRIGGER customers_text_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_text (rowid, name) VALUES (new.id, new.name);
END;
/*sqlite*/ CREATE TRIGGER customers_text_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_text (customers_text, rowid, name) VALUES ('delete', old.id, old.name);
END;
/*sqlite*/ CREATE TRIGGER customers_text_update AFTER UPDATE OF name ON customers BEGIN
    INSERT INTO customers_text (customers_text, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO customers_text (rowid, name) VALUES (new.id, new.name);
END;

-- pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's owner may create it.
/*postgres*/ CREATE EXTENSION IF NOT EXISTS pg_trgm;
/*postgres*/ CREATE INDEX calls_transcript_trgm ON calls USING gin (lower(transcript) gin_trgm_ops);
/*postgres*/ CREATE INDEX calls_from_trgm ON calls USING gin (from_number gin_trgm_ops);
/*postgres*/ CREATE INDEX calls_to_trgm ON calls USING gin (to_number gin_trgm_ops);
/*postgres*/ CREATE INDEX customers_name_trgm ON customers USING gin (lower(name) gin_trgm_ops);
