//! Connects the search indexes when the CRM opens, repairing what it finds broken: an index
//! that cannot be opened is removed and rebuilt from the database, one whose count differs
//! from the database is rebuilt. The database stays the source of truth.

use std::sync::Arc;

use crm_core::ports::ProductIndex;
use crm_core::{Actor, Role, Services, UserId};
use crm_search::ProductSearch;
use crm_storage_diesel::DieselStore;

use crate::{OpenError, Settings};

/// The actor the CRM itself acts as while repairing its indexes.
fn maintenance() -> Actor {
    Actor::new(UserId(0), "CRM", vec![Role::Admin])
}

fn storage(e: crm_core::Error) -> OpenError {
    OpenError::Rules(e)
}

/// Opens or creates the product index, rebuilding it when needed; answers the warnings.
pub(crate) fn attach(
    services: &Services<DieselStore>,
    settings: &Settings,
) -> Result<Vec<String>, OpenError> {
    let mut warnings = Vec::new();
    let index = if settings.search.in_memory {
        ProductSearch::in_memory().map_err(storage)?
    } else {
        let dir = settings.search_dir().join("products");
        match ProductSearch::open(&dir) {
            Ok(index) => index,
            Err(e) => {
                warnings.push(format!(
                    "the product index in {} could not be opened ({e}); it was rebuilt from \
                     the database",
                    dir.display()
                ));
                std::fs::remove_dir_all(&dir).map_err(|io| {
                    OpenError::Settings(format!(
                        "search.dir: cannot remove {}: {io}",
                        dir.display()
                    ))
                })?;
                ProductSearch::open(&dir).map_err(storage)?
            }
        }
    };
    let index: Arc<dyn ProductIndex> = Arc::new(index);
    services.set_product_index(index.clone());
    let admin = maintenance();
    let stored = services
        .products()
        .check_index(&admin, 0)
        .map_err(storage)?;
    if stored.database != stored.index {
        if !settings.search.in_memory && !warnings.iter().any(|w| w.contains("product index")) {
            warnings.push(format!(
                "the product index held {} products, the database {}; it was rebuilt",
                stored.index, stored.database
            ));
        }
        services.products().rebuild_index(&admin).map_err(storage)?;
    }
    Ok(warnings)
}
