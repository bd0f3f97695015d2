//! CSV import: every kind read, columns in any order, bad values named by line and column.

use super::*;

fn fail(kind: Option<CsvKind>, text: &str) -> crm_core::Invalid {
    match read_csv(kind, text.as_bytes()) {
        Err(Error::Invalid(invalid)) => invalid,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn open_items_read_in_any_column_order_with_swiss_formats() {
    let text = "invoice,customer,amount,open_amount,currency,invoice_date,due_date\n\
                RE-1,100042,1'234.50,0,CHF,2026-10-01,2026-10-31\n\
                RE-2,100042,500,500,chf,15.11.2026,15.12.2026\n";
    let SyncBatch::OpenItems { upserts, .. } = read_csv(None, text.as_bytes()).unwrap() else {
        panic!("detected as open items");
    };
    assert_eq!(upserts.len(), 2);
    assert_eq!(upserts[0].amount, "1234.50".parse::<Decimal>().unwrap());
    assert_eq!(
        upserts[1].invoice_date,
        NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
    );
    assert_eq!(upserts[1].currency, Currency::CHF);
    assert_eq!(
        upserts[1].dunning_level, 0,
        "an optional column may be absent"
    );
}

#[test]
fn every_kind_is_detected_from_its_header() {
    let payments =
        "id,customer,invoice,date,amount,currency\nZE-1,100042,RE-1,2026-10-20,100,CHF\n";
    assert!(
        matches!(read_csv(None, payments.as_bytes()), Ok(SyncBatch::Payments { upserts, .. }) if upserts.len() == 1)
    );
    let revenue = "document,position,date,customer,quantity,net_amount,currency,product,field_rep\n\
                   RE-1,1,2026-10-01,100042,5,-120.00,CHF,1068120000,101\n";
    let Ok(SyncBatch::Revenue { upserts, .. }) = read_csv(None, revenue.as_bytes()) else {
        panic!("revenue");
    };
    assert_eq!(
        upserts[0].net_amount,
        Decimal::from(-120),
        "credit lines are negative"
    );
    assert_eq!(upserts[0].field_rep, Some(UserId(101)));
    let conditions = "id,kind,customer,customer_group,product,product_group,price,percent,breaks,currency,valid_from,valid_to\n\
                      SK-1,fixed,100042,,1068120000,,1.95,,,CHF,2026-01-01,2026-12-31\n\
                      SK-2,discount,,WIEDERVERKAUF,,KLEMMEN,,8,,,,\n\
                      SK-3,breaks,100042,,,,,,100:2.10;500:1.95,CHF,,\n";
    let Ok(SyncBatch::Conditions { upserts, .. }) = read_csv(None, conditions.as_bytes()) else {
        panic!("conditions");
    };
    assert_eq!(upserts.len(), 3);
    assert_eq!(
        upserts[1].target,
        ConditionTarget::ProductGroup(GroupCode::new("KLEMMEN").unwrap())
    );
    assert_eq!(
        upserts[2].target,
        ConditionTarget::All,
        "neither product nor group: everything"
    );
    assert!(
        matches!(&upserts[2].price, ConditionPrice::Breaks { breaks, .. } if breaks.len() == 2)
    );
    assert_eq!(
        upserts[0].to_string(),
        "SK-1 for customer 100042 on product 1068120000: 1.95 CHF per 1, 2026-01-01 to 2026-12-31"
    );
}

#[test]
fn bad_values_are_named_by_line_and_column_and_nothing_is_returned() {
    let text = "customer,invoice,invoice_date,due_date,currency,amount,open_amount\n\
                100042,RE-1,2026-10-01,2026-10-31,CHF,100,0\n\
                abc,RE-2,2026-13-01,2026-10-31,XYZ,1O0,0\n\
                100042,,2026-10-01,2026-10-31,CHF,100,0\n";
    let invalid = fail(Some(CsvKind::OpenItems), text);
    for field in [
        "line 3, customer",
        "line 3, invoice_date",
        "line 3, currency",
        "line 3, amount",
        "line 4, invoice",
    ] {
        assert!(invalid.has(field), "{field}: {invalid}");
    }
    assert!(!invalid.to_string().contains("line 2"), "{invalid}");
}

#[test]
fn headers_must_fit_a_kind() {
    let unknown = fail(None, "customer,invoice,colour\n1,2,3\n");
    assert!(unknown.has("header"), "{unknown}");
    let missing = fail(
        Some(CsvKind::Payments),
        "id,customer,invoice,date,amount\nZE-1,1,RE-1,2026-10-20,5\n",
    );
    assert!(
        missing.to_string().contains("`currency` is missing"),
        "{missing}"
    );
    let extra = fail(
        Some(CsvKind::Payments),
        "id,customer,invoice,date,amount,currency,remark\nZE-1,1,RE-1,2026-10-20,5,CHF,x\n",
    );
    assert!(
        extra.to_string().contains("`remark` is not a column"),
        "{extra}"
    );
    let ragged = fail(
        Some(CsvKind::Payments),
        "id,customer,invoice,date,amount,currency\nZE-1,1\n",
    );
    assert!(ragged.has("line 2"), "{ragged}");
}

#[test]
fn conditions_need_one_scope_and_a_known_kind() {
    let text = "id,kind,customer,customer_group,product,product_group,percent\n\
                SK-1,discount,100042,WIEDERVERKAUF,,,5\n\
                SK-2,rebate,100042,,,,5\n\
                SK-3,discount,100042,,P1,G1,5\n";
    let invalid = fail(Some(CsvKind::Conditions), text);
    assert!(invalid.has("line 2, customer"), "{invalid}");
    assert!(invalid.has("line 3, kind"), "{invalid}");
    assert!(invalid.has("line 4, product"), "{invalid}");
}
