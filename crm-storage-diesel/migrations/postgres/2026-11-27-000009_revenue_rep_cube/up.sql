-- The rep cube: the monthly revenue summary summed up per rep (field, inside or both) by
-- total, product group, region, customer by month and customer by year (dim t, g, r, c, y),
-- kept in the sync's transaction. `key` is the group, region or customer number, '' for
-- the total and for lines without one; for dim y, `month` is the year's January.
CREATE TABLE revenue_rep_cube (
    rep BIGINT NOT NULL,
    dim TEXT COLLATE "C" NOT NULL,
    month INTEGER NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    role TEXT COLLATE "C" NOT NULL,
    currency TEXT COLLATE "C" NOT NULL,
    net BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    margin BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    costed_lines BIGINT NOT NULL,
    -- Covering: a rep's customers are ranked from the index alone (rows are appended as
    -- facts arrive, so a rep's rows lie scattered over the table).
    PRIMARY KEY (rep, dim, month, key, role, currency)
        INCLUDE (net, quantity, margin, lines, costed_lines)
);
