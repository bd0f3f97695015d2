-- The product catalog: each product and group kept as exact JSON beside the columns its
-- lists filter and sort by, and the promotion periods for "on promotion today". Every column
-- has the same SQL type on both backends.

CREATE TABLE product_groups (
    code TEXT PRIMARY KEY NOT NULL,
    parent TEXT,
    data TEXT NOT NULL
);

CREATE TABLE products (
    number TEXT PRIMARY KEY NOT NULL,
    ean TEXT,
    group_code TEXT,
    status TEXT NOT NULL,
    new_since DATE,
    data TEXT NOT NULL
);
CREATE INDEX products_ean ON products (ean);
CREATE INDEX products_group ON products (group_code, number);
CREATE INDEX products_new ON products (new_since, number);

CREATE TABLE product_promotions (
    product TEXT NOT NULL REFERENCES products (number) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    starts DATE NOT NULL,
    ends DATE NOT NULL,
    PRIMARY KEY (product, seq)
);
CREATE INDEX product_promotions_ends ON product_promotions (ends, starts, product);
