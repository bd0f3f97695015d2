-- The monthly summary of the revenue facts, kept in the sync's transaction. Reps and texts
-- that a fact leaves out are stored as the smallest BIGINT and as '' (keys cannot be NULL).
CREATE TABLE revenue_months (
    customer BIGINT NOT NULL,
    month INTEGER NOT NULL,
    product_group TEXT NOT NULL,
    field_rep BIGINT NOT NULL,
    inside_rep BIGINT NOT NULL,
    region TEXT NOT NULL,
    currency TEXT NOT NULL,
    net BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    margin BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    costed_lines BIGINT NOT NULL,
    PRIMARY KEY (customer, month, product_group, field_rep, inside_rep, region, currency)
) WITHOUT ROWID;
CREATE INDEX revenue_months_field_rep ON revenue_months (field_rep, month);
CREATE INDEX revenue_months_inside_rep ON revenue_months (inside_rep, month);
