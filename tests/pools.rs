//! Address pools on both backends: public and private pools, members one by one and by
//! search, the pool as search criterion, and privacy on every path.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::{
    AddressCriteria, AddressKind, Error, PageRequest, Pool, PoolInput, PoolVisibility, UserId,
};

on_both_backends!(
    pools_take_members_one_by_one_and_by_search,
    a_private_pool_does_not_exist_for_anyone_else,
    public_pools_show_each_viewer_only_his_addresses,
    names_are_unique_per_owner_and_management_is_for_owners,
);

fn pool(name: &str, visibility: &str) -> PoolInput {
    PoolInput {
        name: name.into(),
        description: Some("Für die Messe".into()),
        visibility: Some(visibility.into()),
    }
}

fn seed(crm: &TestCrm, count: usize) -> Result<Vec<crm::Address>, Error> {
    (0..count)
        .map(|i| {
            let mut input = address(&format!("Messekunde {i:02}"), "4051", "Basel");
            input.field_rep = Some(UserId(if i % 2 == 0 { REP_A } else { REP_B }));
            crm.addresses().create_customer(&actor(MANAGER), &input)
        })
        .collect()
}

fn not_found<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::NotFound { .. }))
}

fn pools_take_members_one_by_one_and_by_search(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let addresses = seed(&crm, 12)?;
    let fair = crm
        .pools()
        .create(&rep, &pool("Messe Basel 2027", "public"))?;
    assert_eq!(
        (fair.members, fair.data.visibility),
        (0, PoolVisibility::Public)
    );
    assert!(crm.pools().add(&rep, fair.id, addresses[0].id)?);
    assert!(
        !crm.pools().add(&rep, fair.id, addresses[0].id)?,
        "a member is added once"
    );

    let search = AddressCriteria {
        name: Some("messekunde".into()),
        ..Default::default()
    };
    let first = crm.pools().add_search(&rep, fair.id, &search)?;
    assert_eq!((first.added, first.already), (11, 1));
    let again = crm.pools().add_search(&rep, fair.id, &search)?;
    assert_eq!((again.added, again.already), (0, 12));
    assert_eq!(crm.pools().get(&rep, fair.id)?.members, 12);

    let page = crm.pools().members(
        &rep,
        fair.id,
        &AddressCriteria::default(),
        PageRequest {
            offset: 10,
            limit: 5,
        },
    )?;
    assert_eq!((page.total, page.items.len()), (12, 2));
    let narrowed = AddressCriteria {
        name: Some("messekunde 0".into()),
        ..Default::default()
    };
    assert_eq!(
        crm.pools()
            .members(&rep, fair.id, &narrowed, PageRequest::default())?
            .total,
        10,
        "criteria apply within the pool"
    );
    let as_criterion = AddressCriteria {
        pool: Some(fair.id),
        kind: Some(AddressKind::Customer),
        ..Default::default()
    };
    assert_eq!(
        crm.addresses()
            .search(&rep, &as_criterion, PageRequest::default())?
            .total,
        12
    );

    assert!(crm.pools().remove(&rep, fair.id, addresses[3].id)?);
    assert!(!crm.pools().remove(&rep, fair.id, addresses[3].id)?);
    let pools = crm.pools().pools_of(&rep, addresses[0].id)?;
    assert_eq!(
        pools.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![fair.id]
    );
    assert!(crm.pools().pools_of(&rep, addresses[3].id)?.is_empty());
    assert_eq!(crm.pools().get(&rep, fair.id)?.members, 11);

    let current = crm.pools().get(&rep, fair.id)?;
    crm.pools().delete(&rep, fair.id, current.version)?;
    assert!(
        crm.pools().pools_of(&rep, addresses[0].id)?.is_empty(),
        "memberships go with the pool"
    );
    assert!(
        crm.addresses().get(&rep, addresses[0].id).is_ok(),
        "addresses stay"
    );
    Ok(())
}

fn a_private_pool_does_not_exist_for_anyone_else(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let owner = actor(REP_A);
    let addresses = seed(&crm, 4)?;
    let secret = crm
        .pools()
        .create(&owner, &pool("Meine Favoriten", "private"))?;
    crm.pools().add(&owner, secret.id, addresses[0].id)?;
    for other in [actor(REP_B), actor(MANAGER), actor(ADMIN)] {
        assert!(
            crm.pools()
                .list(&other)?
                .iter()
                .all(|p: &Pool| p.id != secret.id),
            "not listed"
        );
        assert!(not_found(crm.pools().get(&other, secret.id)));
        assert!(not_found(crm.pools().members(
            &other,
            secret.id,
            &AddressCriteria::default(),
            PageRequest::default()
        )));
        let criterion = AddressCriteria {
            pool: Some(secret.id),
            ..Default::default()
        };
        assert!(
            not_found(
                crm.addresses()
                    .search(&other, &criterion, PageRequest::default())
            ),
            "no search criterion"
        );
        assert!(
            crm.pools().pools_of(&other, addresses[0].id)?.is_empty(),
            "not among the address's pools"
        );
        assert!(not_found(crm.pools().add(
            &other,
            secret.id,
            addresses[1].id
        )));
        assert!(not_found(crm.pools().remove(
            &other,
            secret.id,
            addresses[0].id
        )));
        let target = crm
            .pools()
            .create(&other, &pool(&format!("Ziel {}", other.user_id), "private"))?;
        let from_secret = AddressCriteria {
            pool: Some(secret.id),
            ..Default::default()
        };
        assert!(
            not_found(crm.pools().add_search(&other, target.id, &from_secret)),
            "not a search source either"
        );
    }
    assert!(not_found(crm.pools().update(
        &actor(REP_B),
        secret.id,
        secret.version,
        &pool("Übernommen", "public")
    )));
    assert_eq!(crm.pools().get(&owner, secret.id)?.members, 1);
    // Administrators may rename or delete any pool, as the pools' housekeepers.
    crm.pools()
        .delete(&actor(ADMIN), secret.id, secret.version)?;
    assert!(not_found(crm.pools().get(&owner, secret.id)));
    Ok(())
}

fn public_pools_show_each_viewer_only_his_addresses(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let addresses = seed(&crm, 6)?;
    let manager = actor(MANAGER);
    let shared = crm
        .pools()
        .create(&manager, &pool("Region Nordwest", "public"))?;
    let all = crm
        .pools()
        .add_search(&manager, shared.id, &AddressCriteria::default())?;
    assert_eq!(all.added, 6);
    let a = actor(REP_A);
    let seen = crm.pools().members(
        &a,
        shared.id,
        &AddressCriteria::default(),
        PageRequest::default(),
    )?;
    assert_eq!(seen.total, 3, "A sees his three addresses of the pool");
    assert!(
        seen.items
            .iter()
            .all(|s| s.field_rep == Some(UserId(REP_A)))
    );
    assert!(
        not_found(crm.pools().add(&a, shared.id, addresses[1].id)),
        "an address A may not see"
    );
    // A rep adding a search adds only what he may see.
    let mine = crm.pools().create(&a, &pool("Meine Basler", "private"))?;
    let added = crm.pools().add_search(
        &a,
        mine.id,
        &AddressCriteria {
            city: Some("basel".into()),
            ..Default::default()
        },
    )?;
    assert_eq!(added.added, 3);
    Ok(())
}

fn names_are_unique_per_owner_and_management_is_for_owners(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let a = actor(REP_A);
    let b = actor(REP_B);
    let first = crm.pools().create(&a, &pool("Top-Kunden", "public"))?;
    let dup = crm.pools().create(&a, &pool("top kunden", "private"));
    assert!(
        matches!(dup, Err(Error::Invalid(ref e)) if e.field() == "name"),
        "{dup:?}"
    );
    crm.pools().create(&b, &pool("Top-Kunden", "private"))?;
    let bad = crm.pools().create(
        &a,
        &PoolInput {
            name: "  ".into(),
            visibility: Some("team".into()),
            ..Default::default()
        },
    );
    assert!(matches!(bad, Err(Error::Invalid(ref e)) if e.has("name") && e.has("visibility")));
    assert!(matches!(
        crm.pools()
            .update(&b, first.id, first.version, &pool("Gekapert", "public")),
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        crm.pools().delete(&b, first.id, first.version),
        Err(Error::Forbidden(_))
    ));
    let renamed = crm
        .pools()
        .update(&a, first.id, first.version, &pool("A-Kunden", "public"))?;
    assert_eq!(renamed.data.name, "A-Kunden");
    assert!(matches!(
        crm.pools()
            .update(&a, first.id, first.version, &pool("B", "public")),
        Err(Error::Conflict { .. })
    ));
    let other = crm.pools().create(&a, &pool("B-Kunden", "public"))?;
    let clash = crm
        .pools()
        .update(&a, other.id, other.version, &pool("a-kunden", "public"));
    assert!(matches!(clash, Err(Error::Invalid(ref e)) if e.field() == "name"));
    assert!(matches!(
        crm.pools().create(&actor(NOBODY), &pool("Gast", "private")),
        Err(Error::Forbidden(_))
    ));
    Ok(())
}
