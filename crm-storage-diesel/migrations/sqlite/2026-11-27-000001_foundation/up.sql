-- Foundation: users, counters, addresses with their name index, contacts, notes, activations.
-- Every column has the same SQL type as in the PostgreSQL migration of the same version.

CREATE TABLE users (
    id BIGINT PRIMARY KEY NOT NULL,
    login TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    roles TEXT NOT NULL,
    active BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX users_login_unique ON users (login);

CREATE TABLE counters (
    name TEXT PRIMARY KEY NOT NULL,
    next_value BIGINT NOT NULL
);

CREATE TABLE addresses (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name1 TEXT NOT NULL,
    name2 TEXT,
    name3 TEXT,
    legal_form TEXT,
    street TEXT,
    addition TEXT,
    po_box TEXT,
    postal_code TEXT,
    city TEXT,
    country TEXT NOT NULL,
    language TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    website TEXT,
    industry TEXT,
    classification TEXT,
    potential_amount BIGINT,
    potential_currency TEXT,
    field_rep_id BIGINT REFERENCES users (id),
    inside_rep_id BIGINT REFERENCES users (id),
    status TEXT NOT NULL,
    latitude DOUBLE,
    longitude DOUBLE,
    lead_number BIGINT,
    converted_at TIMESTAMP,
    converted_by BIGINT,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT NOT NULL,
    version BIGINT NOT NULL,
    name_key TEXT NOT NULL,
    city_key TEXT,
    street_key TEXT,
    email_domain TEXT,
    industry_key TEXT
);
CREATE UNIQUE INDEX addresses_number_unique ON addresses (number);
CREATE INDEX addresses_lead_number ON addresses (lead_number) WHERE lead_number IS NOT NULL;
CREATE INDEX addresses_name_key ON addresses (name_key, id);
CREATE INDEX addresses_city_key ON addresses (city_key, id);
CREATE INDEX addresses_postal_street ON addresses (postal_code, street_key);
CREATE INDEX addresses_kind_postal ON addresses (kind, status, postal_code, id);
CREATE INDEX addresses_field_rep ON addresses (field_rep_id, id);
CREATE INDEX addresses_inside_rep ON addresses (inside_rep_id, id);
CREATE INDEX addresses_email_domain ON addresses (email_domain);
CREATE INDEX addresses_phone ON addresses (phone);
CREATE INDEX addresses_industry_key ON addresses (industry_key);
CREATE INDEX addresses_updated ON addresses (updated_at, id);

-- The name index: every folded word of an address's name, with the folded city ('' when
-- none) in the key, and the address's sort key and status beside it, so that the common
-- search (name, city, active, sorted by name) is answered and ordered from this one B-tree.
-- It is derived data: storage rewrites an address's entries whenever name, city or status
-- change, and finds the old entries by recomputing them, so no second index (and no
-- foreign-key lookup per row) slows down bulk imports.
CREATE TABLE address_words (
    word TEXT NOT NULL,
    city_key TEXT NOT NULL,
    address_id BIGINT NOT NULL,
    name_key TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (word, city_key, address_id)
) WITHOUT ROWID;

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    address_id BIGINT NOT NULL REFERENCES addresses (id),
    salutation TEXT,
    title TEXT,
    first_name TEXT,
    last_name TEXT NOT NULL,
    function TEXT,
    department TEXT,
    phone TEXT,
    mobile TEXT,
    email TEXT,
    language TEXT NOT NULL,
    is_primary BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX contacts_address ON contacts (address_id, active);
CREATE UNIQUE INDEX contacts_one_primary ON contacts (address_id) WHERE is_primary;

CREATE TABLE notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    address_id BIGINT NOT NULL REFERENCES addresses (id),
    about_kind TEXT NOT NULL,
    about_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    author_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    edited_by BIGINT,
    edited_at TIMESTAMP,
    version BIGINT NOT NULL
);
CREATE INDEX notes_address ON notes (address_id, created_at, id);
CREATE INDEX notes_about ON notes (about_kind, about_id) WHERE about_kind <> 'address';

CREATE TABLE address_activations (
    user_id BIGINT NOT NULL,
    address_id BIGINT NOT NULL REFERENCES addresses (id),
    activated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, address_id)
);
CREATE INDEX address_activations_recent ON address_activations (user_id, activated_at);
