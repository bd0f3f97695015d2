//! Which changes of the ERP's data are events for the trace rules: a sales document in a new
//! status, an overdue invoice dunned (again), a confirmed delivery date moved.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::{OpenItem, OrderLine, Replaced, SalesDocument, SyncBatch};
use crate::error::{Error, Result};
use crate::ids::AddressNumber;
use crate::trace::EventDetail;
use crate::values::Money;

fn previous<T: DeserializeOwned>(r: &Replaced) -> Result<Option<T>> {
    r.previous
        .as_deref()
        .map(|json| {
            serde_json::from_str(json)
                .map_err(|e| Error::Storage(format!("a replaced ERP record is unreadable: {e}")))
        })
        .transpose()
}

fn overdue(item: &OpenItem, today: NaiveDate) -> bool {
    item.open_amount > rust_decimal::Decimal::ZERO && item.due_date < today
}

/// The events of the records `replaced` says a batch wrote, on `today`:
///
/// - a document that was stored before with another status: status changed (new documents
///   are no event, so that a first load is quiet);
/// - an open item overdue with something open that the ERP reports with a higher dunning
///   level than before (its dunning run: the payment is overdue); records seen for the first
///   time are no event either;
/// - an order line whose confirmed delivery date moved (both dates known).
///
/// # Errors
/// [`Error::Storage`] when a replaced record cannot be read.
pub fn events(
    batch: &SyncBatch,
    replaced: &[Replaced],
    today: NaiveDate,
) -> Result<Vec<(AddressNumber, EventDetail)>> {
    let mut out = Vec::new();
    for r in replaced {
        match batch {
            SyncBatch::Documents { upserts, .. } => {
                let (Some(new), Some(old)) = (upserts.get(r.index), previous::<SalesDocument>(r)?)
                else {
                    continue;
                };
                if old.status != new.status {
                    out.push((
                        new.customer,
                        EventDetail::DocumentStatusChanged {
                            document: new.number.to_string(),
                            document_kind: new.kind.to_string(),
                            from: old.status.to_string(),
                            to: new.status.to_string(),
                        },
                    ));
                }
            }
            SyncBatch::OpenItems { upserts, .. } => {
                let Some(new) = upserts.get(r.index) else {
                    continue;
                };
                let Some(old) = previous::<OpenItem>(r)? else {
                    continue;
                };
                if overdue(new, today) && new.dunning_level > old.dunning_level {
                    out.push((
                        new.customer,
                        EventDetail::PaymentOverdue {
                            invoice: new.invoice.to_string(),
                            due: new.due_date,
                            open: Money::new(new.open_amount, new.currency),
                            dunning_level: new.dunning_level,
                        },
                    ));
                }
            }
            SyncBatch::OrderLines { upserts, .. } => {
                let (Some(new), Some(old)) = (upserts.get(r.index), previous::<OrderLine>(r)?)
                else {
                    continue;
                };
                if let (Some(before), Some(after)) = (old.confirmed_date, new.confirmed_date)
                    && before != after
                {
                    out.push((
                        new.customer,
                        EventDetail::DeliveryDateMoved {
                            order: new.order.to_string(),
                            position: new.position,
                            old: before,
                            new: after,
                        },
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(out)
}
