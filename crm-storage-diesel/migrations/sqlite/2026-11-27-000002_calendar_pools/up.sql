-- Calendar: one table for activities, milestones and assignments; their people and contacts;
-- the history of milestone moves; and, per user, the entries that belong in his calendar.
-- Every column has the same SQL type as in the PostgreSQL migration of the same version.

CREATE TABLE calendar_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    address_id BIGINT NOT NULL REFERENCES addresses (id),
    kind TEXT NOT NULL,
    entry_type TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    all_day BOOLEAN NOT NULL,
    time_zone TEXT NOT NULL,
    -- End of the last occurrence (far in the future for open series): range queries look
    -- for last_end >= range start, so series that began long ago are found by an index.
    last_end TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    location TEXT,
    outcome TEXT,
    recurrence TEXT,
    exceptions TEXT,
    linked_kind TEXT,
    linked_id BIGINT,
    service_ref TEXT,
    sla_response_due TIMESTAMP,
    sla_resolution_due TIMESTAMP,
    sla_responded_at TIMESTAMP,
    sla_resolved_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX calendar_entries_address ON calendar_entries (address_id, last_end, starts_at);
CREATE INDEX calendar_entries_linked ON calendar_entries (linked_kind, linked_id) WHERE linked_kind IS NOT NULL;

CREATE TABLE calendar_people (
    entry_id BIGINT NOT NULL REFERENCES calendar_entries (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    PRIMARY KEY (entry_id, user_id)
);

CREATE TABLE calendar_contacts (
    entry_id BIGINT NOT NULL REFERENCES calendar_entries (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (entry_id, contact_id)
);

CREATE TABLE milestone_moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    entry_id BIGINT NOT NULL REFERENCES calendar_entries (id),
    moved_from TIMESTAMP NOT NULL,
    moved_to TIMESTAMP NOT NULL,
    moved_at TIMESTAMP NOT NULL,
    moved_by BIGINT NOT NULL
);
CREATE INDEX milestone_moves_entry ON milestone_moves (entry_id, id);

-- Derived: for each user in whose calendar an entry appears (the address's field and inside
-- rep, participants, technicians), a copy of what a calendar view shows, so that a user's
-- month is one range of this key and nothing else is read. Storage rewrites an entry's rows
-- when the entry changes, and an address's when its reps, number or name change. Short
-- entries are found by their start; long-running ones (series, or longer than 31 days) by
-- their last end.
CREATE TABLE calendar_attendance (
    user_id BIGINT NOT NULL,
    long_running BOOLEAN NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    entry_id BIGINT NOT NULL,
    last_end TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    all_day BOOLEAN NOT NULL,
    time_zone TEXT NOT NULL,
    kind TEXT NOT NULL,
    entry_type TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    outcome TEXT,
    status TEXT NOT NULL,
    location TEXT,
    recurrence TEXT,
    exceptions TEXT,
    updated_at TIMESTAMP NOT NULL,
    address_id BIGINT NOT NULL,
    address_number BIGINT NOT NULL,
    address_name TEXT NOT NULL,
    PRIMARY KEY (user_id, long_running, starts_at, entry_id)
) WITHOUT ROWID;
CREATE INDEX calendar_attendance_entry ON calendar_attendance (entry_id);

CREATE TABLE pools (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    visibility TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    members BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX pools_owner_name ON pools (owner_id, name_key);
CREATE INDEX pools_visibility ON pools (visibility, name_key);

CREATE TABLE pool_members (
    pool_id BIGINT NOT NULL REFERENCES pools (id),
    address_id BIGINT NOT NULL REFERENCES addresses (id),
    added_by BIGINT NOT NULL,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (pool_id, address_id)
);
CREATE INDEX pool_members_address ON pool_members (address_id, pool_id);
