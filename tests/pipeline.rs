//! Lists of opportunities and the weighted pipeline on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::opportunity::OpportunityFilter;
use crm::{Error, PageRequest};

on_both_backends!(lists_filter_and_the_pipeline_weighs);

fn lists_filter_and_the_pipeline_weighs(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let (a, b) = (actor(REP_A), actor(REP_B));
    let first = assigned_address(&crm, REP_A, "Apotheke Stern")?;
    let second = assigned_address(&crm, REP_A, "Drogerie Sonne")?;
    let ops = crm.opportunities();
    ops.create(
        &a,
        &deal(first.id, "Kasse", "inquiry", "10000", "2027-01-10"),
    )?;
    let scales = ops.create(&a, &deal(first.id, "Waage", "offer", "20000", "2027-01-20"))?;
    let shared = {
        let mut input = deal(second.id, "Regale", "offer", "50000", "2027-02-05");
        input.team = Some(vec![
            member(REP_A, "lead", "edit"),
            member(REP_B, "field_sales", "edit"),
        ]);
        ops.create(&a, &input)?
    };
    let mut undated = deal(second.id, "Beratung", "negotiation", "0", "");
    undated.volume = None;
    undated.close_date = None;
    ops.create(&a, &undated)?;
    let won = ops.create(
        &a,
        &deal(second.id, "Etiketten", "offer", "7000", "2027-01-31"),
    )?;
    ops.set_stage(&a, won.id, won.version, "won", None)?;

    let all = ops.of_user(
        &a,
        a.user_id,
        &OpportunityFilter::default(),
        PageRequest::default(),
    )?;
    let titles: Vec<&str> = all.items.iter().map(|o| o.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Kasse", "Waage", "Regale", "Beratung"],
        "open ones by close date, undated last"
    );
    assert_eq!(all.total, 4);
    let page = ops.of_user(
        &a,
        a.user_id,
        &OpportunityFilter::default(),
        PageRequest {
            offset: 1,
            limit: 2,
        },
    )?;
    assert_eq!(
        (page.items.len(), page.total, page.items[0].title.as_str()),
        (2, 4, "Waage")
    );
    // Totals of full pages are counted, with and without criteria on the opportunity itself.
    let total = |f: OpportunityFilter| -> Result<u64, Error> {
        Ok(ops
            .of_user(
                &a,
                a.user_id,
                &f,
                PageRequest {
                    offset: 0,
                    limit: 1,
                },
            )?
            .total)
    };
    let offers = OpportunityFilter {
        stages: vec!["offer".into()],
        ..Default::default()
    };
    let second_all = OpportunityFilter {
        address: Some(second.id),
        include_decided: true,
        ..Default::default()
    };
    let until_january = OpportunityFilter {
        close_to: chrono::NaiveDate::from_ymd_opt(2027, 1, 31),
        ..Default::default()
    };
    assert_eq!(
        (total(offers)?, total(second_all)?, total(until_january)?),
        (2, 3, 2)
    );
    let filtered = |f: OpportunityFilter| -> Result<Vec<String>, Error> {
        Ok(ops
            .of_user(&a, a.user_id, &f, PageRequest::default())?
            .items
            .into_iter()
            .map(|o| o.title)
            .collect())
    };
    assert_eq!(
        filtered(OpportunityFilter {
            stages: vec!["Offer".into()],
            ..Default::default()
        })?,
        ["Waage", "Regale"]
    );
    assert_eq!(
        filtered(OpportunityFilter {
            close_from: chrono::NaiveDate::from_ymd_opt(2027, 1, 15),
            close_to: chrono::NaiveDate::from_ymd_opt(2027, 1, 31),
            ..Default::default()
        })?,
        ["Waage"]
    );
    assert_eq!(
        filtered(OpportunityFilter {
            min_volume: Some(15000.into()),
            ..Default::default()
        })?,
        ["Waage", "Regale"]
    );
    assert_eq!(
        filtered(OpportunityFilter {
            address: Some(second.id),
            include_decided: true,
            ..Default::default()
        })?,
        ["Regale", "Beratung", "Etiketten"],
        "decided ones after the open ones"
    );
    assert_eq!(
        invalid_fields(ops.of_user(
            &a,
            a.user_id,
            &OpportunityFilter {
                stages: vec!["signed".into()],
                ..Default::default()
            },
            PageRequest::default()
        )),
        ["stages[0]"]
    );

    let pipeline = ops.pipeline(&a, &[a.user_id])?;
    let stages: Vec<(&str, u64, String)> = pipeline
        .by_stage
        .iter()
        .map(|s| (s.stage.key(), s.count, s.weighted.to_string()))
        .collect();
    assert_eq!(
        stages,
        [
            ("inquiry", 1, "1000.00 CHF".to_string()),
            ("offer", 2, "28000.00 CHF".to_string())
        ]
    );
    let months: Vec<(Option<chrono::NaiveDate>, String)> = pipeline
        .by_month
        .iter()
        .map(|m| (m.month, m.volume.to_string()))
        .collect();
    assert_eq!(
        months,
        [
            (
                chrono::NaiveDate::from_ymd_opt(2027, 1, 1),
                "30000.00 CHF".to_string()
            ),
            (
                chrono::NaiveDate::from_ymd_opt(2027, 2, 1),
                "50000.00 CHF".to_string()
            ),
        ]
    );
    assert_eq!(pipeline.without_volume, 1);
    let team = ops.pipeline(&actor(MANAGER), &[a.user_id, b.user_id])?;
    assert_eq!(
        team.by_stage.iter().map(|s| s.count).sum::<u64>(),
        3,
        "the shared one once"
    );
    assert!(matches!(
        ops.pipeline(&b, &[a.user_id]),
        Err(Error::Forbidden(_))
    ));
    assert_eq!(ops.pipeline(&b, &[b.user_id])?.by_stage.len(), 1);

    let current = ops.of_address(&a, second.id)?;
    let open: Vec<&str> = current.open.iter().map(|o| o.title.as_str()).collect();
    assert_eq!(open, ["Regale", "Beratung"]);
    assert_eq!(current.recently_decided.len(), 1);
    assert_eq!(current.recently_decided[0].title, "Etiketten");
    let _ = shared;

    // A stage change moves the opportunity in every team member's pipeline at once.
    ops.set_stage(&a, scales.id, scales.version, "negotiation", None)?;
    let mut moved: Vec<(String, u64)> = ops
        .pipeline(&a, &[a.user_id])?
        .by_stage
        .iter()
        .map(|s| (s.stage.key().to_owned(), s.count))
        .collect();
    moved.sort();
    assert_eq!(
        moved,
        [
            ("inquiry".to_owned(), 1),
            ("negotiation".to_owned(), 1),
            ("offer".to_owned(), 1)
        ]
    );
    Ok(())
}
