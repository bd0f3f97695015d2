//! Connects the search indexes when the CRM opens, repairing what it finds broken: an index
//! that cannot be opened is removed and rebuilt from the database, one whose count differs
//! from the database is rebuilt. The database stays the source of truth.

use std::path::Path;
use std::sync::Arc;

use crm_core::ports::{AddressIndex, DocumentIndex, ProductIndex};
use crm_core::{Actor, Role, Services, UserId};
use crm_search::{AddressSearch, DocumentSearch, ProductSearch};
use crm_storage_diesel::DieselStore;

use crate::{OpenError, Settings};

/// The actor the CRM itself acts as while repairing its indexes.
fn maintenance() -> Actor {
    Actor::new(UserId(0), "CRM", vec![Role::Admin])
}

fn failed(e: crm_core::Error) -> OpenError {
    OpenError::Rules(e)
}

/// Opens the index in `dir` with `open`; one that cannot be opened is removed, created anew
/// and reported in `warnings`. One that another open CRM writes to (its lock is held) is
/// left alone: removing it would pull the files from under that CRM.
fn open_or_recreate<T>(
    dir: &Path,
    what: &str,
    open: impl Fn(&Path) -> crm_core::Result<T>,
    warnings: &mut Vec<String>,
) -> Result<T, OpenError> {
    match open(dir) {
        Ok(index) => Ok(index),
        Err(crm_core::Error::Busy(e)) => Err(OpenError::Settings(format!(
            "search.dir: the {what} index in {} is in use by another open CRM, in this \
             process or another ({e}); give each CRM a search directory of its own, or set \
             search.in_memory",
            dir.display()
        ))),
        Err(e) => {
            warnings.push(format!(
                "the {what} index in {} could not be opened ({e}); it was rebuilt from the \
                 database",
                dir.display()
            ));
            std::fs::remove_dir_all(dir).map_err(|io| {
                OpenError::Settings(format!("search.dir: cannot remove {}: {io}", dir.display()))
            })?;
            open(dir).map_err(failed)
        }
    }
}

/// Rebuilds an index whose count differs from the database's, saying so (once per index)
/// when the index is kept on disk.
struct Behind<'w> {
    warnings: &'w mut Vec<String>,
    persistent: bool,
}

impl Behind<'_> {
    fn rebuild(
        &mut self,
        what: &str,
        records: &str,
        (database, index): (u64, u64),
        rebuild: impl FnOnce() -> crm_core::Result<u64>,
    ) -> Result<(), OpenError> {
        if database == index {
            return Ok(());
        }
        let named = format!("{what} index");
        if self.persistent && !self.warnings.iter().any(|w| w.contains(&named)) {
            self.warnings.push(format!(
                "the {named} held {index} {records}, the database {database}; it was rebuilt"
            ));
        }
        rebuild().map_err(failed)?;
        Ok(())
    }
}

/// Opens or creates the product, address and document indexes, rebuilding them when needed; answers
/// the warnings.
pub(crate) fn attach(
    services: &Services<DieselStore>,
    settings: &Settings,
) -> Result<Vec<String>, OpenError> {
    let mut warnings = Vec::new();
    let dir = settings.search_dir();
    let (products, addresses) = if settings.search.in_memory {
        (
            ProductSearch::in_memory().map_err(failed)?,
            AddressSearch::in_memory().map_err(failed)?,
        )
    } else {
        (
            open_or_recreate(
                &dir.join("products"),
                "product",
                ProductSearch::open,
                &mut warnings,
            )?,
            open_or_recreate(
                &dir.join("addresses"),
                "address",
                AddressSearch::open,
                &mut warnings,
            )?,
        )
    };
    let products: Arc<dyn ProductIndex> = Arc::new(products);
    services.set_product_index(products);
    let addresses: Arc<dyn AddressIndex> = Arc::new(addresses);
    services.set_address_index(addresses);
    let documents = if settings.search.in_memory {
        DocumentSearch::in_memory().map_err(failed)?
    } else {
        open_or_recreate(
            &dir.join("documents"),
            "document",
            DocumentSearch::open,
            &mut warnings,
        )?
    };
    let documents: Arc<dyn DocumentIndex> = Arc::new(documents);
    services.set_document_index(documents);
    let admin = maintenance();

    let stored = services.products().check_index(&admin, 0).map_err(failed)?;
    let mut behind = Behind {
        warnings: &mut warnings,
        persistent: !settings.search.in_memory,
    };
    behind.rebuild(
        "product",
        "products",
        (stored.database, stored.index),
        || services.products().rebuild_index(&admin),
    )?;
    let counts = services.addresses().index_counts().map_err(failed)?;
    behind.rebuild("address", "addresses", counts, || {
        services.addresses().rebuild_index(&admin)
    })?;
    let counts = services.documents().index_counts().map_err(failed)?;
    behind.rebuild("document", "documents", counts, || {
        services.documents().rebuild_index(&admin)
    })?;
    Ok(warnings)
}
