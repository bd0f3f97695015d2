//! The revenue summaries: the monthly summary and the rep cube.

#![allow(missing_docs)]

diesel::table! {
    revenue_months (customer, month, product_group, field_rep, inside_rep, region, currency) {
        customer -> BigInt,
        month -> Integer,
        product_group -> Text,
        field_rep -> BigInt,
        inside_rep -> BigInt,
        region -> Text,
        currency -> Text,
        net -> BigInt,
        quantity -> BigInt,
        margin -> BigInt,
        lines -> BigInt,
        costed_lines -> BigInt,
    }
}

diesel::table! {
    revenue_rep_cube (rep, dim, month, key, role, currency) {
        rep -> BigInt,
        dim -> Text,
        month -> Integer,
        key -> Text,
        role -> Text,
        currency -> Text,
        net -> BigInt,
        quantity -> BigInt,
        margin -> BigInt,
        lines -> BigInt,
        costed_lines -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(revenue_months, revenue_rep_cube);
