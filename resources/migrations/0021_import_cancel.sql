-- AskPro schema, version 21 (issue 19, the Import page's cancel): who asked to stop an import while its apply
-- runs. The apply looks after every batch; once set, it stops, its run is undone (nothing half-applied stays)
-- and the upload ends failed with the name. Empty: nobody asked.
ALTER TABLE import_uploads ADD COLUMN cancel_requested_by TEXT NOT NULL DEFAULT '';
