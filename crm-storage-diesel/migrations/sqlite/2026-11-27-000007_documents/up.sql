-- The archive's metadata: documents, their immutable versions (each naming its blob by
-- SHA-256), their links to records with the address each belongs to, and the records of
-- documents deleted after their retention. The bytes live in the blob store. Every column
-- has the same SQL type on both backends.

CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    language TEXT,
    tags TEXT NOT NULL,
    legal_hold BOOLEAN NOT NULL,
    lock_by BIGINT,
    lock_since TIMESTAMP,
    retain_until DATE NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE document_versions (
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    blob TEXT NOT NULL,
    size BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    comment TEXT,
    checked_in_by BIGINT NOT NULL,
    checked_in_at TIMESTAMP NOT NULL,
    text_warning TEXT,
    PRIMARY KEY (document_id, number)
);
CREATE INDEX document_versions_blob ON document_versions (blob);

CREATE TABLE document_links (
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    address_id BIGINT,
    PRIMARY KEY (document_id, kind, key)
);
CREATE INDEX document_links_address ON document_links (address_id, document_id);
CREATE INDEX document_links_record ON document_links (kind, key, document_id);

CREATE TABLE document_deletions (
    document_id BIGINT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    versions BIGINT NOT NULL,
    retain_until DATE NOT NULL,
    deleted_by BIGINT NOT NULL,
    deleted_at TIMESTAMP NOT NULL
);
