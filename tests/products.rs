//! The product catalog through the facade on both backends: the real BMEcat catalogs and a
//! CSV list import, Google-like search finds the real products the ways people type, the
//! views (detail, groups, new items, promotions), handing a product to the draft quote, and
//! the index following the database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use common::*;
use crm::archive::{ArchiveLink, Category, DocumentInput};
use crm::erp_adapter::{read_bmecat, read_product_csv};
use crm::product::{
    CatalogReport, ProductFilter, ProductHits, ProductQuery, Promotion, PromotionOffer,
};
use crm::{Currency, Decimal, Error, Language, PageRequest};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bmecat")
        .join(path)
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn import_file(crm: &TestCrm, path: &Path) -> Result<CatalogReport, Error> {
    let file = File::open(path).unwrap();
    crm.products()
        .import(&actor(ADMIN), read_bmecat(BufReader::new(file)))
}

/// Every BMEcat file of the samples, new catalogs first, then the updates.
fn import_all(crm: &TestCrm) -> Result<CatalogReport, Error> {
    let mut total = CatalogReport::default();
    let mut files: Vec<PathBuf> = Vec::new();
    for folder in ["weidmueller", "olivere"] {
        for entry in std::fs::read_dir(data(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "xml") {
                files.push(path);
            }
        }
    }
    files.sort_by_key(|p| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        (name.contains("update"), name)
    });
    for path in files {
        let r = import_file(crm, &path)?;
        total.new += r.new;
        total.changed += r.changed;
        total.repriced += r.repriced;
        total.deleted += r.deleted;
        total.groups += r.groups;
        total.warnings.extend(r.warnings);
    }
    Ok(total)
}

fn search(crm: &TestCrm, text: &str, language: Language) -> ProductHits {
    search_with(crm, text, language, ProductFilter::default())
}

fn search_with(
    crm: &TestCrm,
    text: &str,
    language: Language,
    filter: ProductFilter,
) -> ProductHits {
    crm.products()
        .search(
            &actor(REP_A),
            &ProductQuery {
                text: text.into(),
                language,
                filter,
                day: day("2026-11-27"),
                limit: 10,
            },
        )
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn first(crm: &TestCrm, text: &str, language: Language) -> String {
    let hits = search(crm, text, language);
    hits.hits
        .first()
        .map(|h| h.number.to_string())
        .unwrap_or_else(|| panic!("`{text}` finds nothing"))
}

fn numbers(hits: &ProductHits) -> Vec<String> {
    hits.hits.iter().map(|h| h.number.to_string()).collect()
}

fn real_catalogs_import_and_are_found_as_people_type(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let report = import_all(&crm)?;
    assert_eq!(
        report.new,
        14 + 1,
        "14 Weidmüller products, the samples' product 1000"
    );
    assert_eq!(
        report.deleted, 0,
        "the update deletes product 2000, which none created"
    );
    assert_eq!(
        report.repriced, 0,
        "the price update repeats the update's prices: {report:?}"
    );
    assert!(
        report.warnings.iter().any(|w| w.contains("8712670911213")),
        "the sample EAN's wrong check digit is reported: {:?}",
        report.warnings
    );
    // Exact numbers, EANs and manufacturer types rank first.
    assert_eq!(first(&crm, "DEK 5/5", Language::De), "1609801044");
    assert_eq!(first(&crm, "dek 5/5 mc", Language::De), "1609801044");
    assert_eq!(first(&crm, "4008190099633", Language::De), "1020000000");
    assert_eq!(first(&crm, "1122770000", Language::En), "1122770000");
    assert_eq!(first(&crm, "UR20-16DI-P", Language::De), "1315200000");
    // German and English words, typos, prefixes while typing, folding, compounds.
    assert_eq!(
        first(&crm, "Durchgangs-Reihenklemme", Language::De),
        "1020000000"
    );
    assert_eq!(
        first(&crm, "feed-through terminal", Language::En),
        "1020000000"
    );
    assert_eq!(
        first(&crm, "Durchgangsreihenklemne", Language::De),
        "1020000000"
    );
    assert_eq!(first(&crm, "sicherheitsrelias", Language::De), "1303890000");
    assert!(numbers(&search(&crm, "Relaisso", Language::De)).contains(&"7760056106".to_owned()));
    for typed in [
        "Überspannungsableiter",
        "Ueberspannungsableiter",
        "uberspannungsableiter",
    ] {
        assert_eq!(first(&crm, typed, Language::De), "1351590000", "{typed}");
    }
    let klemme = numbers(&search(&crm, "klemme", Language::De));
    assert!(klemme.contains(&"1020000000".to_owned()), "{klemme:?}");
    assert!(
        klemme.contains(&"1010000000".to_owned()),
        "Schutzleiter-Reihenklemme"
    );
    let marker = search(&crm, "terminal marker", Language::En);
    assert_eq!(marker.hits[0].number.as_str(), "1609801044");
    assert_eq!(
        marker.hits[0].name, "Terminal marking",
        "named in the user's language"
    );
    let german = search(&crm, "terminal marker", Language::De);
    assert_eq!(german.hits[0].name, "Klemmenmarkierung");
    assert!(numbers(&search(&crm, "2,5 mm²", Language::De)).contains(&"1020000000".to_owned()));
    // Any text answers, without error.
    for odd in [
        "",
        "   ",
        "!!!",
        "\"((",
        "🙂🙂",
        &"x".repeat(10_000),
        "a AND OR NOT *",
    ] {
        search(&crm, odd, Language::De);
    }
    Ok(())
}

fn groups_detail_and_lists(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    import_file(&crm, &data("olivere/bmecat12_new_catalog.golden.xml"))?;
    let rep = actor(REP_A);
    let detail = crm.products().detail(&rep, "1000", day("2026-11-27"))?;
    let path: Vec<&str> = detail.group_path.iter().map(|g| g.code.as_str()).collect();
    assert_eq!(path, ["1", "2", "5"], "Hardware › Notebook › Mac");
    assert_eq!(
        detail.group_path[0].names.get(Language::De),
        Some("Hardware")
    );
    let top = crm.products().groups(&rep, None)?;
    assert_eq!(top.len(), 1);
    let under_hardware = crm.products().list(
        &rep,
        &ProductFilter {
            group: Some(crm::erp::GroupCode::new("1")?),
            ..Default::default()
        },
        Language::De,
        day("2026-11-27"),
        PageRequest::default(),
    )?;
    assert_eq!(under_hardware.total, 1, "products of the subgroups too");
    let facets = search(&crm, "", Language::De).facets;
    assert_eq!(facets, vec![(crm::erp::GroupCode::new("1")?, 1)]);
    assert_eq!(first(&crm, "macbok", Language::De), "1000");
    let delete = "<BMECAT version=\"1.2\"><HEADER><CATALOG><LANGUAGE>deu</LANGUAGE></CATALOG>\
                  </HEADER><T_UPDATE_PRODUCTS prev_version=\"1\"><ARTICLE mode=\"delete\">\
                  <SUPPLIER_AID>1000</SUPPLIER_AID></ARTICLE></T_UPDATE_PRODUCTS></BMECAT>";
    let report = crm
        .products()
        .import(&actor(ADMIN), read_bmecat(delete.as_bytes()))?;
    assert_eq!(report.deleted, 1);
    assert!(
        search(&crm, "macbook", Language::De).hits.is_empty(),
        "gone from the index"
    );
    let missing = crm.products().detail(&rep, "nope", day("2026-11-27"));
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
    Ok(())
}

fn new_items_and_promotions(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let csv = "number,name_de,name_fr,list_price,currency,unit,keywords\n\
               A-1,Kabelbinder 200 mm,Collier de serrage,0.20,CHF,PCE,Binder\n\
               A-2,Schraube M8x40,Vis M8x40,0.35,CHF,PCE,\n\
               A-3,Mutter M8,Écrou M8,0.10,CHF,PCE,\n";
    crm.products().import(
        &actor(ADMIN),
        read_product_csv(csv.as_bytes())?.into_iter().map(Ok),
    )?;
    let admin = actor(ADMIN);
    let mut binder = crm
        .products()
        .detail(&admin, "A-1", day("2026-11-27"))?
        .product;
    binder.new_since = Some(day("2026-11-01"));
    binder.promotions.push(Promotion {
        label: "Herbstaktion".into(),
        from: day("2026-11-15"),
        to: day("2026-12-15"),
        offer: PromotionOffer::Discount {
            percent: Decimal::from(20),
        },
    });
    crm.products().put(&admin, binder)?;
    let mut screw = crm
        .products()
        .detail(&admin, "A-2", day("2026-11-27"))?
        .product;
    screw.new_since = Some(day("2025-01-01"));
    crm.products().put(&admin, screw)?;

    let rep = actor(REP_A);
    let list = |filter: ProductFilter| {
        crm.products()
            .list(
                &rep,
                &filter,
                Language::Fr,
                day("2026-11-27"),
                PageRequest::default(),
            )
            .unwrap()
            .items
            .into_iter()
            .map(|s| (s.number.to_string(), s.name, s.promotion.map(|p| p.label)))
            .collect::<Vec<_>>()
    };
    let new = list(ProductFilter {
        new_since: Some(day("2026-10-01")),
        ..Default::default()
    });
    assert_eq!(
        new,
        [(
            "A-1".into(),
            "Collier de serrage".into(),
            Some("Herbstaktion".into())
        )]
    );
    let promoted = list(ProductFilter {
        on_promotion: true,
        ..Default::default()
    });
    assert_eq!(promoted.len(), 1);
    // The same filters in search; measures as people type them.
    let promo_hits = search_with(
        &crm,
        "",
        Language::De,
        ProductFilter {
            on_promotion: true,
            ..Default::default()
        },
    );
    assert_eq!(numbers(&promo_hits), ["A-1"]);
    for typed in ["M8x40", "m8 x 40", "M 8x40", "schraube m8"] {
        assert_eq!(first(&crm, typed, Language::De), "A-2", "{typed}");
    }
    assert_eq!(first(&crm, "ecrou", Language::Fr), "A-3", "accents folded");
    assert_eq!(first(&crm, "200mm", Language::De), "A-1");
    // A change is searchable at once, and the index agrees with the database.
    let mut nut = crm
        .products()
        .detail(&admin, "A-3", day("2026-11-27"))?
        .product;
    nut.names.set(Language::De, "Sechskantmutter M8");
    crm.products().put(&admin, nut)?;
    assert_eq!(first(&crm, "sechskant", Language::De), "A-3");
    let drift = crm.products().check_index(&rep, 10)?;
    assert!(drift.is_clean(), "{drift:?}");
    assert_eq!(crm.products().rebuild_index(&admin)?, 3);
    let forbidden = crm.products().rebuild_index(&rep);
    assert!(
        matches!(forbidden, Err(Error::Forbidden(_))),
        "{forbidden:?}"
    );
    Ok(())
}

fn a_product_goes_to_the_draft_quote_priced_and_explained(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let csv = "number,name_de,name_en,list_price,currency,unit\n\
               K-1,Reihenklemme,Terminal block,1.95,CHF,C62\n";
    crm.products().import(
        &actor(ADMIN),
        read_product_csv(csv.as_bytes())?.into_iter().map(Ok),
    )?;
    let rep = actor(REP_A);
    let none = crm
        .products()
        .to_active_document(&rep, "K-1", Decimal::from(10));
    assert!(
        matches!(&none, Err(Error::Invalid(i)) if i.has("active_document")),
        "{none:?}"
    );
    let customer = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    crm.quotes().create(&rep, customer.id, Currency::CHF)?;
    let draft = crm
        .products()
        .to_active_document(&rep, "K-1", Decimal::from(10))?;
    let line = &draft.lines[0];
    assert_eq!(
        line.line.description, "Reihenklemme",
        "in the customer's language"
    );
    assert_eq!(line.line.unit, "C62");
    assert_eq!(line.line.net_amount, "19.50".parse::<Decimal>()?);
    assert!(
        line.price
            .explanation()
            .iter()
            .any(|l| l.contains("list price")),
        "{:?}",
        line.price.explanation()
    );
    Ok(())
}

fn bad_files_import_nothing(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let xml = "<BMECAT version=\"2005\"><HEADER><CATALOG><LANGUAGE>deu</LANGUAGE>\
               <CURRENCY>CHF</CURRENCY></CATALOG></HEADER><T_NEW_CATALOG>\
               <PRODUCT><SUPPLIER_PID>G-1</SUPPLIER_PID><PRODUCT_DETAILS>\
               <DESCRIPTION_SHORT>Gut</DESCRIPTION_SHORT></PRODUCT_DETAILS></PRODUCT>\
               <PRODUCT><SUPPLIER_PID>B-1</SUPPLIER_PID><PRODUCT_DETAILS>\
               <DESCRIPTION_SHORT>Schlecht</DESCRIPTION_SHORT></PRODUCT_DETAILS>\
               <PRODUCT_PRICE_DETAILS><PRODUCT_PRICE price_type=\"net_list\">\
               <PRICE_AMOUNT>zwei</PRICE_AMOUNT></PRODUCT_PRICE></PRODUCT_PRICE_DETAILS>\
               </PRODUCT></T_NEW_CATALOG></BMECAT>";
    let refused = crm
        .products()
        .import(&actor(ADMIN), read_bmecat(xml.as_bytes()));
    let Err(Error::Invalid(invalid)) = refused else {
        panic!("{refused:?}");
    };
    assert!(invalid.to_string().contains("PRODUCT[2]"), "{invalid}");
    assert!(invalid.to_string().contains("PRICE_AMOUNT"), "{invalid}");
    assert!(
        search(&crm, "gut", Language::De).hits.is_empty(),
        "nothing of the file"
    );
    assert_eq!(crm.products().check_index(&actor(REP_A), 5)?.database, 0);
    let forbidden = crm
        .products()
        .import(&actor(REP_A), read_bmecat(xml.as_bytes()));
    assert!(
        matches!(forbidden, Err(Error::Forbidden(_))),
        "{forbidden:?}"
    );
    Ok(())
}

fn archived_documents_show_at_their_product(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    import_all(&crm)?;
    let number = crm::erp::ProductNumber::new("1020000000")?;
    let input = |title: &str, links: Vec<ArchiveLink>| DocumentInput {
        title: title.into(),
        category: Category::DataSheet,
        language: Some(Language::De),
        tags: vec![],
        links,
        file_name: "datenblatt.pdf".into(),
        media_type: "application/pdf".into(),
    };
    let manager = actor(MANAGER);
    crm.documents().check_in(
        &manager,
        &input("Datenblatt DK 4Q", vec![ArchiveLink::product(&number)]),
        &mut &b"%PDF-1.4 sheet"[..],
    )?;
    // A drawing made for one customer hangs at the product and at his address.
    let theirs = assigned_address(&crm, REP_B, "Elektro Brunner GmbH")?;
    crm.documents().check_in(
        &manager,
        &input(
            "Sonderzeichnung Brunner",
            vec![
                ArchiveLink::product(&number),
                ArchiveLink::record(theirs.id),
            ],
        ),
        &mut &b"%PDF-1.4 drawing"[..],
    )?;
    let titles = |who: i64| -> Vec<String> {
        crm.products()
            .detail(&actor(who), number.as_str(), day("2026-11-27"))
            .unwrap()
            .documents
            .into_iter()
            .map(|d| d.title)
            .collect()
    };
    assert_eq!(
        titles(MANAGER),
        ["Sonderzeichnung Brunner", "Datenblatt DK 4Q"]
    );
    assert_eq!(titles(REP_B).len(), 2);
    assert_eq!(
        titles(REP_A),
        ["Datenblatt DK 4Q"],
        "another customer's drawing stays hidden"
    );
    Ok(())
}

on_both_backends!(
    archived_documents_show_at_their_product,
    real_catalogs_import_and_are_found_as_people_type,
    groups_detail_and_lists,
    new_items_and_promotions,
    a_product_goes_to_the_draft_quote_priced_and_explained,
    bad_files_import_nothing
);

/// A CRM with its database and indexes in `dir`, opened without warnings, holding one
/// product (`Z-1`, Zahnrad); with the settings and clock to open it again.
fn on_disk_with_a_product(
    dir: &std::path::Path,
) -> Result<(crm::Settings, std::sync::Arc<TickingClock>, crm::Crm), Box<dyn std::error::Error>> {
    let mut settings = crm::Settings::from_toml("")?;
    settings.data_dir = dir.to_owned();
    let clock = std::sync::Arc::new(TickingClock::new());
    let crm = crm::Crm::open_with_clock(settings.clone(), clock.clone())?;
    crm.users().sync(&users())?;
    let csv = "number,name_de\nZ-1,Zahnrad\n";
    crm.products().import(
        &actor(ADMIN),
        read_product_csv(csv.as_bytes())?.into_iter().map(Ok),
    )?;
    assert!(crm.warnings().is_empty(), "{:?}", crm.warnings());
    Ok((settings, clock, crm))
}

/// A second CRM on the same index directory is refused; the first one's index is not
/// removed from under it and keeps answering.
#[test]
fn a_second_crm_on_the_same_index_directory_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (settings, clock, crm) = on_disk_with_a_product(dir.path())?;
    let Err(e) = crm::Crm::open_with_clock(settings.clone(), clock.clone()) else {
        panic!("a second CRM opened on an index directory in use");
    };
    let message = e.to_string();
    assert!(
        message.contains("search.dir") && message.contains("in use"),
        "{message}"
    );
    let rep = actor(REP_A);
    assert_eq!(crm.products().check_index(&rep, 5)?.index, 1);
    drop(crm);
    let again = crm::Crm::open_with_clock(settings, clock)?;
    assert!(again.warnings().is_empty(), "{:?}", again.warnings());
    Ok(())
}

#[test]
fn a_corrupt_or_missing_index_is_rebuilt_with_a_warning() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (settings, clock, crm) = on_disk_with_a_product(dir.path())?;
    drop(crm);
    let index = dir.path().join("index/products");
    for entry in std::fs::read_dir(&index)? {
        std::fs::write(entry?.path(), b"garbage")?;
    }
    let crm = crm::Crm::open_with_clock(settings.clone(), clock.clone())?;
    assert!(
        crm.warnings().iter().any(|w| w.contains("rebuilt")),
        "{:?}",
        crm.warnings()
    );
    let rep = actor(REP_A);
    let hits = crm.products().search(
        &rep,
        &ProductQuery {
            text: "zahnrad".into(),
            language: Language::De,
            filter: ProductFilter::default(),
            day: day("2026-11-27"),
            limit: 5,
        },
    )?;
    assert_eq!(hits.hits.len(), 1);
    drop(crm);
    std::fs::remove_dir_all(&index)?;
    let crm = crm::Crm::open_with_clock(settings, clock)?;
    assert!(!crm.warnings().is_empty(), "a missing index is rebuilt too");
    assert_eq!(crm.products().check_index(&rep, 5)?.index, 1);
    Ok(())
}
