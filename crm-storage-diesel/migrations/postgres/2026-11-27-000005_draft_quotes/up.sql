-- Quotes written in the CRM, kept as exact JSON beside what the outbox selects by, and each
-- user's active sales document. Every column has the same SQL type on both backends.

CREATE TABLE draft_quotes (
    id BIGINT PRIMARY KEY NOT NULL,
    address_id BIGINT NOT NULL REFERENCES addresses (id),
    state TEXT NOT NULL,
    submitted_at TIMESTAMP,
    version BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX draft_quotes_outbox ON draft_quotes (state, submitted_at, id);

CREATE TABLE active_documents (
    user_id BIGINT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL
);
