//! Draft quotes and the active sales document on both backends: priced lines with their
//! explanation, concurrency, visibility, the outbox and the ERP's acknowledgement.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::erp_data::*;
use common::*;
use crm::erp::{ActiveSalesDocument, DraftState};
use crm::{Currency, Decimal, Error};

fn a_quote_is_written_priced_submitted_and_acknowledged(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let mine = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let theirs = assigned_address(&crm, REP_B, "Elektro Brunner GmbH")?;
    for batch in batches(mine.number, theirs.number) {
        crm.replica().sync(batch, None)?;
    }
    let (a, b, admin) = (actor(REP_A), actor(REP_B), actor(ADMIN));
    let quotes = crm.quotes();

    let draft = quotes.create(&a, mine.id, Currency::CHF)?;
    assert!(matches!(quotes.active(&a)?, Some(ActiveSalesDocument::Draft(d)) if d.id == draft.id));
    let draft = quotes.add_line(
        &a,
        draft.id,
        draft.version,
        "1068120000",
        dec("50"),
        Some("Reihenklemme"),
    )?;
    let draft = quotes.add_line(&a, draft.id, draft.version, "1068120000", dec("10"), None)?;
    assert_eq!(draft.lines.len(), 2);
    assert_eq!(
        draft.lines[0].price.applied.as_deref(),
        Some("SK-1"),
        "the customer's own price"
    );
    assert_eq!(draft.lines[0].line.net_amount, dec("97.50"));
    assert!(
        draft.lines[0]
            .price
            .explanation()
            .iter()
            .any(|l| l.contains("SK-2: superseded by SK-1"))
    );
    // 117.00 net, 8.1 % VAT 9.48.
    assert_eq!(
        (draft.totals.net.amount, draft.totals.gross.amount),
        (dec("117.00"), dec("126.48"))
    );

    // Bad input and stale versions change nothing.
    let stale = quotes.add_line(&a, draft.id, crm::Version(1), "1068120000", dec("1"), None);
    assert!(matches!(stale, Err(Error::Conflict { .. })), "{stale:?}");
    let zero = quotes.add_line(
        &a,
        draft.id,
        draft.version,
        "1068120000",
        Decimal::ZERO,
        None,
    );
    assert!(matches!(zero, Err(Error::Invalid(i)) if i.has("quantity")));
    let unpriced = quotes.add_line(&a, draft.id, draft.version, "9999", Decimal::ONE, None);
    assert!(matches!(unpriced, Err(Error::Invalid(i)) if i.has("product")));
    assert_eq!(quotes.get(&a, draft.id)?, draft);
    // Another rep does not see it; a manager sees it but it stays the rep's.
    assert!(matches!(
        quotes.get(&b, draft.id),
        Err(Error::NotFound { .. })
    ));

    let draft = quotes.remove_line(&a, draft.id, draft.version, 2)?;
    assert_eq!(draft.totals.net.amount, dec("97.50"));
    let draft = quotes.submit(&a, draft.id, draft.version)?;
    assert_eq!(draft.state, DraftState::Submitted);
    let late = quotes.add_line(
        &a,
        draft.id,
        draft.version,
        "1068120000",
        Decimal::ONE,
        None,
    );
    assert!(matches!(late, Err(Error::Invalid(i)) if i.has("state")));

    // The host takes it over.
    assert!(matches!(quotes.outbox(&a, 10), Err(Error::Forbidden(_))));
    let waiting = quotes.outbox(&admin, 10)?;
    assert_eq!(waiting.iter().map(|d| d.id).collect::<Vec<_>>(), [draft.id]);
    assert_eq!(
        waiting[0].document().number.as_str(),
        format!("CRM-AN-{:06}", draft.id.0)
    );
    let done = quotes.acknowledge(&admin, draft.id, "AN-2026-0042")?;
    assert_eq!(
        (done.state, done.erp_number.as_ref().map(|n| n.to_string())),
        (DraftState::Acknowledged, Some("AN-2026-0042".into()))
    );
    assert!(quotes.outbox(&admin, 10)?.is_empty());
    assert_eq!(
        quotes.acknowledge(&admin, draft.id, "AN-2026-0042")?,
        done,
        "the same acknowledgement again"
    );
    let other = quotes.acknowledge(&admin, draft.id, "AN-2026-9999");
    assert!(matches!(other, Err(Error::Invalid(i)) if i.has("state")));

    // An ERP document becomes the active one.
    let active = quotes.activate(&a, "Q-1")?;
    assert!(matches!(&active, ActiveSalesDocument::Erp(d) if d.number.as_str() == "Q-1"));
    assert_eq!(quotes.active(&a)?, Some(active));
    assert!(matches!(
        quotes.activate(&b, "Q-1"),
        Err(Error::NotFound { .. })
    ));
    Ok(())
}

fn an_empty_draft_is_not_submitted(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let mine = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let draft = crm.quotes().create(&actor(REP_A), mine.id, Currency::CHF)?;
    let refused = crm.quotes().submit(&actor(REP_A), draft.id, draft.version);
    assert!(matches!(refused, Err(Error::Invalid(i)) if i.has("lines")));
    let foreign = crm.quotes().submit(&actor(REP_B), draft.id, draft.version);
    assert!(
        matches!(foreign, Err(Error::Forbidden(_))),
        "open policy: B sees it, may not change it"
    );
    Ok(())
}

on_both_backends!(
    a_quote_is_written_priced_submitted_and_acknowledged,
    an_empty_draft_is_not_submitted
);
