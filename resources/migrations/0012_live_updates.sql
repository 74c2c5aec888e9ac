-- AskPro schema, version 12 (issue 15): live updates. On PostgreSQL every write to a list that desktops watch
-- wakes every server (LISTEN askpro_changes), so a change made through one server reaches the live sockets of
-- all at once; the payload is the table's name only. SQLite has one embedded server, which looks itself.
/*postgres*/ CREATE OR REPLACE FUNCTION askpro_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('askpro_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
/*postgres*/ CREATE TRIGGER calls_live AFTER INSERT OR UPDATE OR DELETE ON calls FOR EACH STATEMENT EXECUTE FUNCTION askpro_notify_change();
/*postgres*/ CREATE TRIGGER appointments_live AFTER INSERT OR UPDATE OR DELETE ON appointments FOR EACH STATEMENT EXECUTE FUNCTION askpro_notify_change();
/*postgres*/ CREATE TRIGGER customers_live AFTER INSERT OR UPDATE OR DELETE ON customers FOR EACH STATEMENT EXECUTE FUNCTION askpro_notify_change();
/*postgres*/ CREATE TRIGGER webhook_inbox_live AFTER INSERT OR UPDATE OR DELETE ON webhook_inbox FOR EACH STATEMENT EXECUTE FUNCTION askpro_notify_change();
/*postgres*/ CREATE TRIGGER health_checks_live AFTER INSERT ON health_checks FOR EACH STATEMENT EXECUTE FUNCTION askpro_notify_change();
