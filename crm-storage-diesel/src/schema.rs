//! The SQL schema, one `table!` for both backends: every column has the same SQL type on
//! SQLite and PostgreSQL (see the migrations of each backend).

#![allow(missing_docs)]

mod revenue;
pub use revenue::{revenue_months, revenue_rep_cube};

diesel::table! {
    users (id) {
        id -> BigInt,
        login -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        roles -> Text,
        active -> Bool,
    }
}

diesel::table! {
    counters (name) {
        name -> Text,
        next_value -> BigInt,
    }
}

diesel::table! {
    addresses (id) {
        id -> BigInt,
        number -> BigInt,
        kind -> Text,
        name1 -> Text,
        name2 -> Nullable<Text>,
        name3 -> Nullable<Text>,
        legal_form -> Nullable<Text>,
        street -> Nullable<Text>,
        addition -> Nullable<Text>,
        po_box -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        city -> Nullable<Text>,
        country -> Text,
        language -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        website -> Nullable<Text>,
        industry -> Nullable<Text>,
        classification -> Nullable<Text>,
        potential_amount -> Nullable<BigInt>,
        potential_currency -> Nullable<Text>,
        field_rep_id -> Nullable<BigInt>,
        inside_rep_id -> Nullable<BigInt>,
        status -> Text,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        lead_number -> Nullable<BigInt>,
        converted_at -> Nullable<Timestamp>,
        converted_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        created_by -> BigInt,
        updated_at -> Timestamp,
        updated_by -> BigInt,
        version -> BigInt,
        name_key -> Text,
        city_key -> Nullable<Text>,
        street_key -> Nullable<Text>,
        email_domain -> Nullable<Text>,
        industry_key -> Nullable<Text>,
    }
}

diesel::table! {
    address_words (word, city_key, address_id) {
        word -> Text,
        city_key -> Text,
        address_id -> BigInt,
        name_key -> Text,
        status -> Text,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        address_id -> BigInt,
        salutation -> Nullable<Text>,
        title -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Text,
        function -> Nullable<Text>,
        department -> Nullable<Text>,
        phone -> Nullable<Text>,
        mobile -> Nullable<Text>,
        email -> Nullable<Text>,
        language -> Text,
        is_primary -> Bool,
        active -> Bool,
        created_at -> Timestamp,
        created_by -> BigInt,
        updated_at -> Timestamp,
        updated_by -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    notes (id) {
        id -> BigInt,
        address_id -> BigInt,
        about_kind -> Text,
        about_id -> BigInt,
        body -> Text,
        author_id -> BigInt,
        created_at -> Timestamp,
        edited_by -> Nullable<BigInt>,
        edited_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    address_activations (user_id, address_id) {
        user_id -> BigInt,
        address_id -> BigInt,
        activated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_entries (id) {
        id -> BigInt,
        address_id -> BigInt,
        kind -> Text,
        entry_type -> Text,
        title -> Text,
        description -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        all_day -> Bool,
        time_zone -> Text,
        last_end -> Timestamp,
        status -> Text,
        location -> Nullable<Text>,
        outcome -> Nullable<Text>,
        recurrence -> Nullable<Text>,
        exceptions -> Nullable<Text>,
        linked_kind -> Nullable<Text>,
        linked_id -> Nullable<BigInt>,
        service_ref -> Nullable<Text>,
        sla_response_due -> Nullable<Timestamp>,
        sla_resolution_due -> Nullable<Timestamp>,
        sla_responded_at -> Nullable<Timestamp>,
        sla_resolved_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        created_by -> BigInt,
        updated_at -> Timestamp,
        updated_by -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    calendar_people (entry_id, user_id) {
        entry_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    calendar_contacts (entry_id, contact_id) {
        entry_id -> BigInt,
        contact_id -> BigInt,
    }
}

diesel::table! {
    milestone_moves (id) {
        id -> BigInt,
        entry_id -> BigInt,
        moved_from -> Timestamp,
        moved_to -> Timestamp,
        moved_at -> Timestamp,
        moved_by -> BigInt,
    }
}

diesel::table! {
    calendar_attendance (user_id, long_running, starts_at, entry_id) {
        user_id -> BigInt,
        long_running -> Bool,
        starts_at -> Timestamp,
        entry_id -> BigInt,
        last_end -> Timestamp,
        ends_at -> Timestamp,
        all_day -> Bool,
        time_zone -> Text,
        kind -> Text,
        entry_type -> Text,
        title -> Text,
        description -> Nullable<Text>,
        outcome -> Nullable<Text>,
        status -> Text,
        location -> Nullable<Text>,
        recurrence -> Nullable<Text>,
        exceptions -> Nullable<Text>,
        updated_at -> Timestamp,
        address_id -> BigInt,
        address_number -> BigInt,
        address_name -> Text,
    }
}

diesel::table! {
    pools (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        description -> Nullable<Text>,
        visibility -> Text,
        owner_id -> BigInt,
        members -> BigInt,
        created_at -> Timestamp,
        created_by -> BigInt,
        updated_at -> Timestamp,
        updated_by -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    pool_members (pool_id, address_id) {
        pool_id -> BigInt,
        address_id -> BigInt,
        added_by -> BigInt,
        added_at -> Timestamp,
    }
}

diesel::table! {
    opportunities (id) {
        id -> BigInt,
        number -> BigInt,
        address_id -> BigInt,
        title -> Text,
        main_contact_id -> Nullable<BigInt>,
        stage -> Text,
        is_open -> Bool,
        probability -> BigInt,
        probability_overridden -> Bool,
        volume -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        close_date -> Nullable<Date>,
        source -> Nullable<Text>,
        competitors -> Text,
        lost_reason -> Nullable<Text>,
        description -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        created_by -> BigInt,
        updated_at -> Timestamp,
        updated_by -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    opportunity_team (opportunity_id, user_id) {
        opportunity_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        access -> Text,
        address_id -> BigInt,
        is_open -> Bool,
        sort_date -> Date,
        stage -> Text,
        close_date -> Nullable<Date>,
        currency -> Nullable<Text>,
        probability -> BigInt,
        volume -> Nullable<BigInt>,
    }
}

diesel::table! {
    traces (id) {
        id -> BigInt,
        address_id -> BigInt,
        seq -> BigInt,
        recorded_at -> Timestamp,
        occurred_at -> Timestamp,
        kind -> Text,
        actor_id -> BigInt,
        source -> Text,
        external_id -> Nullable<Text>,
        linked_kind -> Text,
        linked_id -> BigInt,
        summary -> Text,
        summary_key -> Text,
        payload -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    trace_heads (address_id) {
        address_id -> BigInt,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    trace_audience (user_id, recorded_at, trace_id) {
        user_id -> BigInt,
        recorded_at -> Timestamp,
        trace_id -> BigInt,
        address_id -> BigInt,
        kind -> Text,
        actor_id -> BigInt,
        linked_kind -> Text,
        linked_id -> BigInt,
    }
}

diesel::table! {
    sla_breaches (entry_id, deadline) {
        entry_id -> BigInt,
        deadline -> Text,
    }
}

diesel::table! {
    erp_documents (number) {
        number -> Text,
        customer -> BigInt,
        kind -> Text,
        status -> Text,
        doc_date -> Date,
        data -> Text,
    }
}

diesel::table! {
    erp_order_lines (order_number, position) {
        order_number -> Text,
        position -> BigInt,
        customer -> BigInt,
        is_open -> Bool,
        promised -> Nullable<Date>,
        data -> Text,
    }
}

diesel::table! {
    erp_open_items (invoice) {
        invoice -> Text,
        customer -> BigInt,
        due_date -> Date,
        data -> Text,
    }
}

diesel::table! {
    erp_payments (id) {
        id -> Text,
        customer -> BigInt,
        paid_on -> Date,
        data -> Text,
    }
}

diesel::table! {
    erp_list_prices (product, currency, valid_key) {
        product -> Text,
        currency -> Text,
        valid_key -> Text,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        data -> Text,
    }
}

diesel::table! {
    erp_conditions (id) {
        id -> Text,
        scope -> Text,
        target -> Text,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        data -> Text,
    }
}

diesel::table! {
    erp_customer_groups (customer, group_code) {
        customer -> BigInt,
        group_code -> Text,
    }
}

diesel::table! {
    erp_product_groups (product, depth) {
        product -> Text,
        depth -> BigInt,
        group_code -> Text,
    }
}

diesel::table! {
    erp_revenue (document, position) {
        document -> Text,
        position -> BigInt,
        customer -> BigInt,
        fact_date -> Date,
        data -> Text,
    }
}

diesel::table! {
    erp_sync_cursors (stream) {
        stream -> Text,
        cursor -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    draft_quotes (id) {
        id -> BigInt,
        address_id -> BigInt,
        state -> Text,
        submitted_at -> Nullable<Timestamp>,
        version -> BigInt,
        data -> Text,
    }
}

diesel::table! {
    active_documents (user_id) {
        user_id -> BigInt,
        data -> Text,
    }
}

diesel::joinable!(address_words -> addresses (address_id));
diesel::joinable!(opportunities -> addresses (address_id));
diesel::joinable!(opportunity_team -> opportunities (opportunity_id));
diesel::joinable!(traces -> addresses (address_id));
diesel::joinable!(trace_audience -> traces (trace_id));
diesel::joinable!(sla_breaches -> calendar_entries (entry_id));
diesel::joinable!(calendar_entries -> addresses (address_id));
diesel::joinable!(calendar_attendance -> addresses (address_id));
diesel::joinable!(calendar_people -> calendar_entries (entry_id));
diesel::joinable!(calendar_contacts -> calendar_entries (entry_id));
diesel::joinable!(milestone_moves -> calendar_entries (entry_id));
diesel::joinable!(pool_members -> pools (pool_id));
diesel::joinable!(pool_members -> addresses (address_id));
diesel::joinable!(contacts -> addresses (address_id));
diesel::joinable!(notes -> addresses (address_id));
diesel::joinable!(address_activations -> addresses (address_id));

diesel::table! {
    product_groups (code) {
        code -> Text,
        parent -> Nullable<Text>,
        data -> Text,
    }
}

diesel::table! {
    products (number) {
        number -> Text,
        ean -> Nullable<Text>,
        group_code -> Nullable<Text>,
        status -> Text,
        new_since -> Nullable<Date>,
        data -> Text,
    }
}

diesel::table! {
    product_promotions (product, seq) {
        product -> Text,
        seq -> BigInt,
        starts -> Date,
        ends -> Date,
    }
}

diesel::joinable!(product_promotions -> products (product));

diesel::table! {
    documents (id) {
        id -> BigInt,
        title -> Text,
        category -> Text,
        language -> Nullable<Text>,
        tags -> Text,
        legal_hold -> Bool,
        lock_by -> Nullable<BigInt>,
        lock_since -> Nullable<Timestamp>,
        retain_until -> Date,
        version -> BigInt,
    }
}

diesel::table! {
    document_versions (document_id, number) {
        document_id -> BigInt,
        number -> BigInt,
        blob -> Text,
        size -> BigInt,
        file_name -> Text,
        media_type -> Text,
        comment -> Nullable<Text>,
        checked_in_by -> BigInt,
        checked_in_at -> Timestamp,
        text_warning -> Nullable<Text>,
    }
}

diesel::table! {
    document_links (document_id, kind, key) {
        document_id -> BigInt,
        kind -> Text,
        key -> Text,
        address_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    document_deletions (document_id) {
        document_id -> BigInt,
        title -> Text,
        category -> Text,
        versions -> BigInt,
        retain_until -> Date,
        deleted_by -> BigInt,
        deleted_at -> Timestamp,
    }
}

diesel::joinable!(document_versions -> documents (document_id));
diesel::joinable!(document_links -> documents (document_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    counters,
    addresses,
    address_words,
    contacts,
    notes,
    address_activations,
    calendar_entries,
    calendar_people,
    calendar_contacts,
    milestone_moves,
    calendar_attendance,
    pools,
    pool_members,
    opportunities,
    opportunity_team,
    traces,
    trace_heads,
    trace_audience,
    sla_breaches,
    erp_documents,
    erp_order_lines,
    erp_open_items,
    erp_payments,
    erp_list_prices,
    erp_conditions,
    erp_customer_groups,
    erp_product_groups,
    erp_revenue,
    erp_sync_cursors,
    draft_quotes,
    active_documents,
    product_groups,
    products,
    product_promotions,
    documents,
    document_versions,
    document_links,
    document_deletions,
);
