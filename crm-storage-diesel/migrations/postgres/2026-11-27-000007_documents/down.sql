DROP TABLE document_deletions;
DROP TABLE document_links;
DROP TABLE document_versions;
DROP TABLE documents;
