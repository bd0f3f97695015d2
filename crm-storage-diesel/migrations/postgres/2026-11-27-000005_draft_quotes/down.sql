DROP TABLE active_documents;
DROP INDEX draft_quotes_outbox;
DROP TABLE draft_quotes;
