-- The monthly summary of the revenue facts, kept in the sync's transaction. Reps and texts
-- that a fact leaves out are stored as the smallest BIGINT and as '' (keys cannot be NULL).
CREATE TABLE revenue_months (
    customer BIGINT NOT NULL,
    month INTEGER NOT NULL,
    product_group TEXT COLLATE "C" NOT NULL,
    field_rep BIGINT NOT NULL,
    inside_rep BIGINT NOT NULL,
    region TEXT COLLATE "C" NOT NULL,
    currency TEXT COLLATE "C" NOT NULL,
    net BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    margin BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    costed_lines BIGINT NOT NULL,
    -- Covering: a customer's months are read from the index alone.
    PRIMARY KEY (customer, month, product_group, field_rep, inside_rep, region, currency)
        INCLUDE (net, quantity, margin, lines, costed_lines)
);
CREATE INDEX revenue_months_field_rep ON revenue_months (field_rep, month);
CREATE INDEX revenue_months_inside_rep ON revenue_months (inside_rep, month);
