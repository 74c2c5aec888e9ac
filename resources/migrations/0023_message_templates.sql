-- AskPro schema, version 23 (issue 17): the texts of the messages to callers, edited in the app. A row overrides
-- the shipped text (resources/templates) for the platform (company_id NULL) or for one company; the text sent is
-- the company's, else the platform's, else the shipped one. kind: confirmation | reminder | cancelled | moved |
-- callback; channel: email | sms; language: de | en. An SMS has no subject.
CREATE TABLE message_templates (
    id @ID@,
    company_id BIGINT REFERENCES companies(id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX message_templates_company ON message_templates (company_id, kind, channel, language) WHERE company_id IS NOT NULL;
CREATE UNIQUE INDEX message_templates_platform ON message_templates (kind, channel, language) WHERE company_id IS NULL;
