-- The replica of the ERP's data. Each table keeps the record as the host sent it (exact
-- JSON: amounts as decimal strings) in `data`, beside the columns its queries select and sort
-- by. Every column has the same SQL type on both backends.

CREATE TABLE erp_documents (
    number TEXT PRIMARY KEY NOT NULL,
    customer BIGINT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    doc_date DATE NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX erp_documents_customer ON erp_documents (customer, doc_date, number);

CREATE TABLE erp_order_lines (
    order_number TEXT NOT NULL,
    position BIGINT NOT NULL,
    customer BIGINT NOT NULL,
    is_open BOOLEAN NOT NULL,
    promised DATE,
    data TEXT NOT NULL,
    PRIMARY KEY (order_number, position)
);
CREATE INDEX erp_order_lines_customer ON erp_order_lines (customer, is_open, promised);

CREATE TABLE erp_open_items (
    invoice TEXT PRIMARY KEY NOT NULL,
    customer BIGINT NOT NULL,
    due_date DATE NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX erp_open_items_customer ON erp_open_items (customer, due_date);

CREATE TABLE erp_payments (
    id TEXT PRIMARY KEY NOT NULL,
    customer BIGINT NOT NULL,
    paid_on DATE NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX erp_payments_customer ON erp_payments (customer, paid_on);

-- valid_key: the first day as text, '' when open-ended (a key column cannot be NULL).
CREATE TABLE erp_list_prices (
    product TEXT NOT NULL,
    currency TEXT NOT NULL,
    valid_key TEXT NOT NULL,
    valid_from DATE,
    valid_to DATE,
    data TEXT NOT NULL,
    PRIMARY KEY (product, currency, valid_key)
);

-- scope: `c:<customer number>` or `g:<customer group>`; target: `p:<product>`,
-- `g:<product group>` or `*`. A price request looks up its scopes × targets in the index.
CREATE TABLE erp_conditions (
    id TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL,
    target TEXT NOT NULL,
    valid_from DATE,
    valid_to DATE,
    data TEXT NOT NULL
);
CREATE INDEX erp_conditions_scope ON erp_conditions (scope, target);

CREATE TABLE erp_customer_groups (
    customer BIGINT NOT NULL,
    group_code TEXT NOT NULL,
    PRIMARY KEY (customer, group_code)
);

CREATE TABLE erp_product_groups (
    product TEXT NOT NULL,
    depth BIGINT NOT NULL,
    group_code TEXT NOT NULL,
    PRIMARY KEY (product, depth)
);

CREATE TABLE erp_revenue (
    document TEXT NOT NULL,
    position BIGINT NOT NULL,
    customer BIGINT NOT NULL,
    fact_date DATE NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (document, position)
);
CREATE INDEX erp_revenue_customer ON erp_revenue (customer, fact_date);
CREATE INDEX erp_revenue_date ON erp_revenue (fact_date);

CREATE TABLE erp_sync_cursors (
    stream TEXT PRIMARY KEY NOT NULL,
    cursor TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
