-- Opportunities with their selling teams; traces with their hash chains and, per user, the
-- traces in his list; the SLA deadlines noted as missed.
-- Every column has the same SQL type as in the PostgreSQL migration of the same version.

CREATE TABLE opportunities (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    number BIGINT NOT NULL,
    address_id BIGINT NOT NULL REFERENCES addresses (id),
    title TEXT NOT NULL,
    main_contact_id BIGINT REFERENCES contacts (id),
    stage TEXT NOT NULL,
    is_open BOOLEAN NOT NULL,
    probability BIGINT NOT NULL,
    probability_overridden BOOLEAN NOT NULL,
    volume BIGINT,
    currency TEXT,
    close_date DATE,
    source TEXT,
    competitors TEXT NOT NULL,
    lost_reason TEXT,
    description TEXT,
    decided_at TIMESTAMP,
    decided_by BIGINT,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX opportunities_number ON opportunities (number);
CREATE INDEX opportunities_address ON opportunities (address_id, is_open, decided_at);

-- A team member's row carries copies of what his list needs (the address, whether the
-- opportunity is open, its close date — 9999-12-31 without one) so that a user's open
-- opportunities are one range of a key; storage rewrites them with the opportunity.
CREATE TABLE opportunity_team (
    opportunity_id BIGINT NOT NULL REFERENCES opportunities (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    access TEXT NOT NULL,
    address_id BIGINT NOT NULL,
    is_open BOOLEAN NOT NULL,
    sort_date DATE NOT NULL,
    PRIMARY KEY (opportunity_id, user_id)
);
CREATE INDEX opportunity_team_user ON opportunity_team (user_id, is_open, sort_date, opportunity_id);
CREATE INDEX opportunity_team_address ON opportunity_team (user_id, address_id);

-- Append-only: no statement of the library updates or deletes a trace. (address_id, seq) is
-- the chain and the table's key, so an address's traces lie together on disk (a table
-- without rowid); storage assigns ids, which increase. hash covers the canonical encoding of
-- every column but id and summary_key.
CREATE TABLE traces (
    id BIGINT NOT NULL,
    address_id BIGINT NOT NULL REFERENCES addresses (id),
    seq BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    actor_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    external_id TEXT,
    linked_kind TEXT NOT NULL,
    linked_id BIGINT NOT NULL,
    summary TEXT NOT NULL,
    summary_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (address_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX traces_id ON traces (id);
CREATE UNIQUE INDEX traces_external ON traces (source, external_id) WHERE external_id IS NOT NULL;

-- The end of each address's chain; a writer locks its row, so writers of one address queue
-- and writers of different addresses do not wait for each other.
CREATE TABLE trace_heads (
    address_id BIGINT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
) WITHOUT ROWID;

-- Derived: for each user, the traces in his list (those of the addresses he is responsible
-- for, those of the opportunities whose team he is in), with what the filters test. Storage
-- rewrites an address's rows by their whole key when its reps or a team change.
CREATE TABLE trace_audience (
    user_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    trace_id BIGINT NOT NULL,
    address_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor_id BIGINT NOT NULL,
    linked_kind TEXT NOT NULL,
    linked_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, recorded_at, trace_id)
) WITHOUT ROWID;

CREATE TABLE sla_breaches (
    entry_id BIGINT NOT NULL REFERENCES calendar_entries (id),
    deadline TEXT NOT NULL,
    PRIMARY KEY (entry_id, deadline)
) WITHOUT ROWID;
CREATE INDEX calendar_entries_unresolved_sla ON calendar_entries (sla_response_due)
    WHERE sla_response_due IS NOT NULL AND sla_resolved_at IS NULL;
