//! The criteria search on both backends: folded name prefixes, cities, ranges, combined
//! criteria, sorting and pages.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::{
    AddressCriteria, AddressKind, AddressPatch, AddressSort, AddressSortField, Classification,
    Error, PageRequest, PostalCodeFilter, StatusFilter, UserId,
};

on_both_backends!(
    name_search_folds_umlauts_and_matches_word_prefixes,
    criteria_combine_and_pages_report_totals,
    sorting_is_stable_and_complete,
    renames_and_moves_follow_in_the_name_index,
    a_prefix_of_many_words_still_matches_with_a_city,
);

fn seed_names(crm: &TestCrm) -> Result<(), Error> {
    let rep = actor(REP_A);
    for (name, code, city) in [
        ("Bäckerei Müller AG", "8001", "Zürich"),
        ("Mueller Transporte GmbH", "3011", "Bern"),
        ("Muller SA", "1201", "Genève"),
        ("Crémerie du Lac Sàrl", "1003", "Lausanne"),
        ("Bauer Holzbau AG", "6003", "Luzern"),
        ("Bär Metallbau", "8004", "Zürich"),
        ("Schreinerei Meier", "8400", "Winterthur"),
    ] {
        crm.addresses()
            .capture_lead(&rep, &address(name, code, city))?;
    }
    Ok(())
}

fn names(crm: &TestCrm, criteria: AddressCriteria) -> Result<Vec<String>, Error> {
    Ok(crm
        .addresses()
        .search(&actor(REP_A), &criteria, PageRequest::default())?
        .items
        .into_iter()
        .map(|s| s.name)
        .collect())
}

fn by_name(q: &str) -> AddressCriteria {
    AddressCriteria {
        name: Some(q.into()),
        ..Default::default()
    }
}

fn name_search_folds_umlauts_and_matches_word_prefixes(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    seed_names(&crm)?;
    assert_eq!(
        names(&crm, by_name("muell"))?,
        vec!["Bäckerei Müller AG", "Mueller Transporte GmbH"]
    );
    assert_eq!(
        names(&crm, by_name("müller"))?,
        vec!["Bäckerei Müller AG", "Mueller Transporte GmbH", "Muller SA"]
    );
    assert_eq!(
        names(&crm, by_name("Muller"))?,
        vec!["Bäckerei Müller AG", "Muller SA"]
    );
    assert_eq!(
        names(&crm, by_name("bäck mül"))?,
        vec!["Bäckerei Müller AG"]
    );
    assert_eq!(
        names(&crm, by_name("cremerie"))?,
        vec!["Crémerie du Lac Sàrl"]
    );
    assert_eq!(
        names(&crm, by_name("bauer"))?,
        vec!["Bauer Holzbau AG"],
        "Bauer does not find Bär"
    );
    assert_eq!(names(&crm, by_name("bau"))?, vec!["Bauer Holzbau AG"]);
    assert!(
        names(&crm, by_name("eller"))?.is_empty(),
        "prefixes, not infixes"
    );
    assert_eq!(
        names(&crm, by_name("!!!"))?.len(),
        7,
        "a query without words filters nothing"
    );
    let city = AddressCriteria {
        name: Some("m".into()),
        city: Some("Zuerich".into()),
        ..Default::default()
    };
    assert_eq!(
        names(&crm, city)?,
        vec!["Bäckerei Müller AG", "Bär Metallbau"]
    );
    Ok(())
}

fn criteria_combine_and_pages_report_totals(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let mut ids = Vec::new();
    for i in 0..30 {
        let code = format!("{}", 8000 + i * 10);
        let mut input = address(
            &format!("Firma {i:02}"),
            &code,
            if i % 2 == 0 { "Zürich" } else { "Winterthur" },
        );
        input.industry = Some(
            if i % 3 == 0 {
                "Elektroinstallation"
            } else {
                "Sanitär"
            }
            .into(),
        );
        input.classification = Some(["A", "B", "C"][i % 3].into());
        if i % 5 == 0 {
            input.inside_rep = Some(UserId(INSIDE_A));
        }
        let address = if i % 4 == 0 {
            crm.addresses().create_customer(&rep, &input)?
        } else {
            crm.addresses().capture_lead(&rep, &input)?
        };
        ids.push(address);
    }
    let range = AddressCriteria {
        postal_code: Some(PostalCodeFilter::Range {
            from: "8050".into(),
            to: "8149".into(),
        }),
        sort: AddressSort {
            by: AddressSortField::PostalCode,
            descending: false,
        },
        ..Default::default()
    };
    let page = crm.addresses().search(
        &rep,
        &range,
        PageRequest {
            offset: 3,
            limit: 4,
        },
    )?;
    assert_eq!(page.total, 10);
    let codes: Vec<_> = page
        .items
        .iter()
        .filter_map(|s| s.postal_code.clone())
        .collect();
    assert_eq!(codes, vec!["8080", "8090", "8100", "8110"]);

    let customers_in_range = AddressCriteria {
        kind: Some(AddressKind::Customer),
        ..range.clone()
    };
    assert_eq!(
        crm.addresses()
            .search(&rep, &customers_in_range, PageRequest::default())?
            .total,
        2
    );

    let combined = AddressCriteria {
        industry: Some("elektro".into()),
        classification: Some(Classification::A),
        city: Some("zürich".into()),
        ..Default::default()
    };
    let hits = crm
        .addresses()
        .search(&rep, &combined, PageRequest::default())?;
    assert_eq!(hits.total, 5, "i = 0, 6, 12, 18, 24");
    assert_eq!(
        crm.addresses()
            .search(
                &rep,
                &AddressCriteria {
                    responsible: Some(UserId(INSIDE_A)),
                    ..Default::default()
                },
                PageRequest::default()
            )?
            .total,
        6
    );
    let number = AddressCriteria {
        number: Some(ids[7].number),
        ..Default::default()
    };
    let found = crm
        .addresses()
        .search(&rep, &number, PageRequest::default())?;
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].id, ids[7].id);

    crm.addresses().update(
        &rep,
        ids[0].id,
        ids[0].version,
        &AddressPatch {
            status: Some("inactive".into()),
            ..Default::default()
        },
    )?;
    let all = AddressCriteria::default();
    assert_eq!(
        crm.addresses()
            .search(&rep, &all, PageRequest::default())?
            .total,
        29
    );
    let inactive = AddressCriteria {
        status: StatusFilter::Inactive,
        ..Default::default()
    };
    assert_eq!(
        crm.addresses()
            .search(&rep, &inactive, PageRequest::default())?
            .total,
        1
    );
    let beyond = crm.addresses().search(
        &rep,
        &all,
        PageRequest {
            offset: 100,
            limit: 10,
        },
    )?;
    assert_eq!((beyond.total, beyond.items.len()), (29, 0));
    assert!(matches!(
        crm.addresses().search(&rep, &all, PageRequest { offset: 0, limit: 0 }),
        Err(Error::Invalid(ref e)) if e.field() == "limit"
    ));
    Ok(())
}

fn sorting_is_stable_and_complete(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    seed_names(&crm)?;
    let rep = actor(REP_A);
    for by in [
        AddressSortField::Name,
        AddressSortField::Number,
        AddressSortField::City,
        AddressSortField::PostalCode,
        AddressSortField::Updated,
    ] {
        for descending in [false, true] {
            let sort = AddressSort { by, descending };
            let criteria = AddressCriteria {
                sort,
                ..Default::default()
            };
            let mut seen = Vec::new();
            for offset in 0..4 {
                let page = crm.addresses().search(
                    &rep,
                    &criteria,
                    PageRequest {
                        offset: offset * 2,
                        limit: 2,
                    },
                )?;
                seen.extend(page.items);
            }
            assert_eq!(seen.len(), 7, "{sort:?}: pages cover every row once");
            let mut ids: Vec<_> = seen.iter().map(|s| s.id).collect();
            ids.dedup();
            assert_eq!(ids.len(), 7, "{sort:?}");
            if by == AddressSortField::Name && !descending {
                assert_eq!(seen[0].name, "Bäckerei Müller AG");
                assert_eq!(seen[1].name, "Bär Metallbau");
            }
        }
    }
    Ok(())
}

fn renames_and_moves_follow_in_the_name_index(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    seed_names(&crm)?;
    let rep = actor(REP_A);
    let hits = crm
        .addresses()
        .search(&rep, &by_name("bauer"), PageRequest::default())?;
    let bauer = crm.addresses().get(&rep, hits.items[0].id)?;
    let renamed = crm.addresses().update(
        &rep,
        bauer.id,
        bauer.version,
        &AddressPatch {
            name1: Some("Zimmerei Rüegg AG".into()),
            city: Some(Some("Zürich".into())),
            postal_code: Some(Some("8004".into())),
            ..Default::default()
        },
    )?;
    assert!(
        names(&crm, by_name("bauer"))?.is_empty(),
        "the old name is gone from the index"
    );
    assert_eq!(names(&crm, by_name("ruegg"))?, vec!["Zimmerei Rüegg AG"]);
    let in_zurich = AddressCriteria {
        name: Some("zimm".into()),
        city: Some("zurich".into()),
        ..Default::default()
    };
    assert_eq!(names(&crm, in_zurich)?, vec!["Zimmerei Rüegg AG"]);
    let in_luzern = AddressCriteria {
        name: Some("zimm".into()),
        city: Some("luzern".into()),
        ..Default::default()
    };
    assert!(
        names(&crm, in_luzern)?.is_empty(),
        "the old city is gone from the index"
    );
    // A change that touches neither name nor city leaves the entries as they are.
    crm.addresses().update(
        &rep,
        renamed.id,
        renamed.version,
        &AddressPatch {
            phone: Some(Some("044 999 88 77".into())),
            ..Default::default()
        },
    )?;
    assert_eq!(names(&crm, by_name("rüegg"))?, vec!["Zimmerei Rüegg AG"]);
    assert_eq!(
        names(&crm, by_name("muell"))?.len(),
        2,
        "other addresses keep their entries"
    );
    // Deactivating takes it out of the default (active) search and into the inactive one.
    let current = crm.addresses().get(&rep, renamed.id)?;
    crm.addresses().update(
        &rep,
        renamed.id,
        current.version,
        &AddressPatch {
            status: Some("inactive".into()),
            ..Default::default()
        },
    )?;
    assert!(names(&crm, by_name("ruegg"))?.is_empty());
    let inactive = AddressCriteria {
        status: StatusFilter::Inactive,
        ..by_name("ruegg")
    };
    assert_eq!(names(&crm, inactive)?, vec!["Zimmerei Rüegg AG"]);
    let any = AddressCriteria {
        status: StatusFilter::Any,
        sort: AddressSort {
            by: AddressSortField::Name,
            descending: true,
        },
        ..by_name("m")
    };
    assert_eq!(
        names(&crm, any)?,
        vec![
            "Schreinerei Meier",
            "Muller SA",
            "Mueller Transporte GmbH",
            "Bär Metallbau",
            "Bäckerei Müller AG"
        ]
    );
    Ok(())
}

fn a_prefix_of_many_words_still_matches_with_a_city(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    // Forty distinct words under one prefix, more than the search expands one by one.
    for i in 0..40 {
        let name = format!(
            "Ka{}{} AG",
            (b'a' + (i / 26) as u8) as char,
            (b'a' + (i % 26) as u8) as char
        );
        crm.addresses()
            .capture_lead(&rep, &address(&name, "3011", "Bern"))?;
        crm.addresses()
            .capture_lead(&rep, &address(&name, "8001", "Zürich"))?;
    }
    let criteria = AddressCriteria {
        name: Some("ka".into()),
        city: Some("bern".into()),
        ..Default::default()
    };
    assert_eq!(
        crm.addresses()
            .search(&rep, &criteria, PageRequest::first(100))?
            .total,
        40
    );
    let few = AddressCriteria {
        name: Some("kaa".into()),
        city: Some("bern".into()),
        ..Default::default()
    };
    assert_eq!(
        crm.addresses()
            .search(&rep, &few, PageRequest::first(100))?
            .total,
        26
    );
    let none = AddressCriteria {
        name: Some("kz".into()),
        city: Some("bern".into()),
        ..Default::default()
    };
    assert_eq!(
        crm.addresses()
            .search(&rep, &none, PageRequest::default())?
            .total,
        0
    );
    let two_words = AddressCriteria {
        name: Some("kab ag".into()),
        city: Some("zürich".into()),
        ..Default::default()
    };
    assert_eq!(
        crm.addresses()
            .search(&rep, &two_words, PageRequest::default())?
            .total,
        14
    );
    Ok(())
}
