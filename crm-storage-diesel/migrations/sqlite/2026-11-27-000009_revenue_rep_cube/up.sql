-- The rep cube: the monthly revenue summary summed up per rep (field, inside or both) by
-- total, product group, region, customer by month and customer by year (dim t, g, r, c, y),
-- kept in the sync's transaction. `key` is the group, region or customer number, '' for
-- the total and for lines without one; for dim y, `month` is the year's January.
CREATE TABLE revenue_rep_cube (
    rep BIGINT NOT NULL,
    dim TEXT NOT NULL,
    month INTEGER NOT NULL,
    key TEXT NOT NULL,
    role TEXT NOT NULL,
    currency TEXT NOT NULL,
    net BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    margin BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    costed_lines BIGINT NOT NULL,
    PRIMARY KEY (rep, dim, month, key, role, currency)
) WITHOUT ROWID;
