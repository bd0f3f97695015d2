use chrono::{DateTime, NaiveDateTime, Utc};
use crm_core::{ActivationRepository, AddressId, AddressScope, AddressSummary, UserId};
use diesel::prelude::*;

use super::{DieselTx, scope_condition};
use crate::error::QueryResultExt;
use crate::rows::address::SummaryRow;
use crate::rows::{ts, utc};
use crate::schema::{address_activations, addresses};

impl ActivationRepository for DieselTx<'_> {
    fn record_activation(
        &mut self,
        user: UserId,
        address: AddressId,
        at: DateTime<Utc>,
        keep: u32,
    ) -> crm_core::Result<()> {
        let mine = address_activations::user_id.eq(user.0);
        diesel::delete(
            address_activations::table
                .filter(mine)
                .filter(address_activations::address_id.eq(address.0)),
        )
        .execute(self.conn)
        .dom()?;
        diesel::insert_into(address_activations::table)
            .values((
                address_activations::user_id.eq(user.0),
                address_activations::address_id.eq(address.0),
                address_activations::activated_at.eq(ts(at)),
            ))
            .execute(self.conn)
            .dom()?;
        let surplus: Vec<i64> = address_activations::table
            .filter(mine)
            .order((
                address_activations::activated_at.desc(),
                address_activations::address_id.desc(),
            ))
            .select(address_activations::address_id)
            .offset(i64::from(keep))
            .limit(1_000)
            .load(self.conn)
            .dom()?;
        if !surplus.is_empty() {
            diesel::delete(
                address_activations::table
                    .filter(mine)
                    .filter(address_activations::address_id.eq_any(&surplus)),
            )
            .execute(self.conn)
            .dom()?;
        }
        Ok(())
    }

    fn recent_activations(
        &mut self,
        user: UserId,
        scope: AddressScope,
        limit: u32,
    ) -> crm_core::Result<Vec<(AddressSummary, DateTime<Utc>)>> {
        let mut query = address_activations::table
            .inner_join(addresses::table)
            .filter(address_activations::user_id.eq(user.0))
            .order((
                address_activations::activated_at.desc(),
                address_activations::address_id.desc(),
            ))
            .limit(i64::from(limit))
            .select((SummaryRow::as_select(), address_activations::activated_at))
            .into_boxed();
        if let Some(condition) = scope_condition(scope) {
            query = query.filter(condition);
        }
        query
            .load::<(SummaryRow, NaiveDateTime)>(self.conn)
            .dom()?
            .into_iter()
            .map(|(row, at)| Ok((row.into_domain()?, utc(at))))
            .collect()
    }
}
