use chrono::{DateTime, NaiveDate, Utc};
use crm_core::opportunity::{
    NewOpportunity, Opportunity, OpportunityChange, OpportunityFilter, OpportunitySummary,
    PipelineGroup, Stage, TeamMember, TeamRole,
};
use crm_core::search::{Page, PageRequest};
use crm_core::{AddressId, Currency, OpportunityId, OpportunityRepository, UserId, Version};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use super::{DieselTx, insert_in_blocks};
use crate::connection::{AnyConnection, with_inner};
use crate::error::QueryResultExt;
use crate::fixed;
use crate::rows::opportunity::{
    NewOpportunityRow, OpportunityContentRow, OpportunityRow, SummaryRow, TeamCopy, TeamRow, member,
};
use crate::rows::{corrupt, ts};
use crate::schema::{addresses, opportunities, opportunity_team};

/// A pipeline group as summed: stage, close date, currency, probability, count, volume.
type GroupRow = (
    String,
    Option<NaiveDate>,
    Option<String>,
    i64,
    i64,
    Option<i64>,
);

/// Most opportunities of one address a view reads.
const MAX_OF_ADDRESS: i64 = 1_000;

/// The columns of [`SummaryRow`].
macro_rules! summary_columns {
    () => {
        (
            opportunities::id,
            opportunities::number,
            opportunities::title,
            opportunities::stage,
            opportunities::probability,
            opportunities::volume,
            opportunities::currency,
            opportunities::close_date,
            opportunities::decided_at,
            opportunities::updated_at,
            addresses::id,
            addresses::number,
            addresses::name1,
        )
    };
}

/// A user's team rows joined with their opportunities and addresses, filtered.
macro_rules! user_query {
    ($user:expr, $filter:expr) => {{
        let filter: &OpportunityFilter = $filter;
        let mut q = opportunity_team::table
            .inner_join(opportunities::table.inner_join(addresses::table))
            .filter(opportunity_team::user_id.eq($user.0))
            .into_boxed();
        if !filter.include_decided {
            q = q.filter(opportunity_team::is_open.eq(true));
        }
        if !filter.stages.is_empty() {
            q = q.filter(opportunities::stage.eq_any(filter.stages.clone()));
        }
        if let Some(from) = filter.close_from {
            q = q.filter(opportunities::close_date.ge(from));
        }
        if let Some(to) = filter.close_to {
            q = q.filter(opportunity_team::sort_date.le(to));
        }
        if let Some(min) = filter.min_volume {
            q = q.filter(opportunities::volume.ge(fixed::to_fixed(min, "min_volume")?));
        }
        if let Some(max) = filter.max_volume {
            q = q.filter(opportunities::volume.le(fixed::to_fixed(max, "max_volume")?));
        }
        if let Some(address) = filter.address {
            q = q.filter(opportunity_team::address_id.eq(address.0));
        }
        q
    }};
}

impl OpportunityRepository for DieselTx<'_> {
    fn insert_opportunity(&mut self, new: &NewOpportunity) -> crm_core::Result<OpportunityId> {
        let ids = insert_many(self.conn, std::slice::from_ref(new))?;
        ids.first()
            .copied()
            .ok_or_else(|| crm_core::Error::Storage("opportunity was not inserted".into()))
    }

    fn insert_opportunities(
        &mut self,
        batch: &[NewOpportunity],
    ) -> crm_core::Result<Vec<OpportunityId>> {
        insert_many(self.conn, batch)
    }

    fn opportunity(&mut self, id: OpportunityId) -> crm_core::Result<Option<Opportunity>> {
        let Some(row) = opportunities::table
            .filter(opportunities::id.eq(id.0))
            .select(OpportunityRow::as_select())
            .first::<OpportunityRow>(self.conn)
            .optional()
            .dom()?
        else {
            return Ok(None);
        };
        let team = load_team(self.conn, id.0)?;
        row.into_domain(team).map(Some)
    }

    fn update_opportunity(
        &mut self,
        id: OpportunityId,
        expected: Version,
        change: &OpportunityChange<'_>,
    ) -> crm_core::Result<bool> {
        let row = OpportunityContentRow::new(change.data, change.decided, change.updated)?;
        let copy = TeamCopy::of(&row);
        let n = diesel::update(
            opportunities::table
                .filter(opportunities::id.eq(id.0))
                .filter(opportunities::version.eq(expected.0)),
        )
        .set((&row, opportunities::version.eq(expected.next().0)))
        .execute(self.conn)
        .dom()?;
        if n == 0 {
            return Ok(false);
        }
        match change.team {
            Some(team) => {
                let address: i64 = opportunities::table
                    .filter(opportunities::id.eq(id.0))
                    .select(opportunities::address_id)
                    .first(self.conn)
                    .dom()?;
                let former: Vec<i64> = diesel::delete(
                    opportunity_team::table.filter(opportunity_team::opportunity_id.eq(id.0)),
                )
                .returning(opportunity_team::user_id)
                .get_results(self.conn)
                .dom()?;
                let rows: Vec<TeamRow> = team
                    .iter()
                    .map(|m| TeamRow::new(id.0, AddressId(address), &copy, m))
                    .collect();
                insert_team(self.conn, &rows)?;
                super::trace::refresh_audience(self.conn, address, &former)?;
            }
            None => {
                diesel::update(
                    opportunity_team::table.filter(opportunity_team::opportunity_id.eq(id.0)),
                )
                .set(&copy)
                .execute(self.conn)
                .dom()?;
            }
        }
        Ok(true)
    }

    fn address_opportunities(
        &mut self,
        address: AddressId,
        decided_since: DateTime<Utc>,
        member: Option<UserId>,
    ) -> crm_core::Result<Vec<OpportunitySummary>> {
        let mut q = opportunities::table
            .inner_join(addresses::table)
            .filter(opportunities::address_id.eq(address.0))
            .filter(
                opportunities::is_open
                    .eq(true)
                    .or(opportunities::decided_at.ge(ts(decided_since))),
            )
            .into_boxed();
        if let Some(user) = member {
            q = q.filter(
                opportunities::id.eq_any(
                    opportunity_team::table
                        .filter(opportunity_team::user_id.eq(user.0))
                        .filter(opportunity_team::address_id.eq(address.0))
                        .select(opportunity_team::opportunity_id),
                ),
            );
        }
        q.select(summary_columns!())
            .order(opportunities::id)
            .limit(MAX_OF_ADDRESS)
            .load::<SummaryRow>(self.conn)
            .dom()?
            .into_iter()
            .map(SummaryRow::into_domain)
            .collect()
    }

    fn user_opportunities(
        &mut self,
        user: UserId,
        filter: &OpportunityFilter,
        page: PageRequest,
    ) -> crm_core::Result<Page<OpportunitySummary>> {
        let rows: Vec<SummaryRow> = user_query!(user, filter)
            .select(summary_columns!())
            .order((
                opportunity_team::is_open.desc(),
                opportunity_team::sort_date,
                opportunity_team::opportunity_id,
            ))
            .limit(i64::from(page.limit))
            .offset(page.offset as i64)
            .load(self.conn)
            .dom()?;
        let items = rows
            .into_iter()
            .map(SummaryRow::into_domain)
            .collect::<crm_core::Result<Vec<_>>>()?;
        super::search::paged(page, items, || {
            if filter.stages.is_empty()
                && filter.close_from.is_none()
                && filter.min_volume.is_none()
                && filter.max_volume.is_none()
            {
                // What remains is on the team rows' own copies: counted from their index.
                team_count(self.conn, user, filter)
            } else {
                user_query!(user, filter)
                    .count()
                    .get_result(self.conn)
                    .dom()
            }
        })
    }

    fn pipeline_groups(&mut self, users: &[UserId]) -> crm_core::Result<Vec<PipelineGroup>> {
        // Summed from the users' own ranges of the team key, whose rows carry the figures;
        // an opportunity with several of the users in its team counts once, at the first.
        let ids: Vec<i64> = users.iter().map(|u| u.0).collect();
        let mut q = opportunity_team::table
            .filter(opportunity_team::user_id.eq_any(ids.clone()))
            .filter(opportunity_team::is_open.eq(true))
            .group_by((
                opportunity_team::stage,
                opportunity_team::close_date,
                opportunity_team::currency,
                opportunity_team::probability,
            ))
            .select((
                opportunity_team::stage,
                opportunity_team::close_date,
                opportunity_team::currency,
                opportunity_team::probability,
                count_star(),
                sql::<Nullable<BigInt>>("CAST(SUM(opportunity_team.volume) AS BIGINT)"),
            ))
            .into_boxed();
        if ids.len() > 1 {
            let earlier = diesel::alias!(opportunity_team as earlier);
            q = q.filter(diesel::dsl::not(diesel::dsl::exists(
                earlier
                    .filter(
                        earlier
                            .field(opportunity_team::opportunity_id)
                            .eq(opportunity_team::opportunity_id),
                    )
                    .filter(earlier.field(opportunity_team::user_id).eq_any(ids))
                    .filter(
                        earlier
                            .field(opportunity_team::user_id)
                            .lt(opportunity_team::user_id),
                    ),
            )));
        }
        let rows: Vec<GroupRow> = q.load(self.conn).dom()?;
        rows.into_iter()
            .map(
                |(stage, close_date, currency, probability, count, volume)| {
                    let currency = currency
                        .map(|c| Currency::new(&c))
                        .transpose()
                        .map_err(|e| corrupt("opportunities", 0, "currency", e))?;
                    Ok(PipelineGroup {
                        stage: Stage::new(stage),
                        close_date,
                        currency,
                        probability: u8::try_from(probability.clamp(0, 100)).unwrap_or(0),
                        count: count.max(0) as u64,
                        volume: fixed::from_fixed(volume.unwrap_or(0)),
                    })
                },
            )
            .collect()
    }
}

fn insert_many(
    conn: &mut AnyConnection,
    batch: &[NewOpportunity],
) -> crm_core::Result<Vec<OpportunityId>> {
    let mut ids = Vec::with_capacity(batch.len());
    let mut team = Vec::new();
    for new in batch {
        let content = OpportunityContentRow::new(&new.data, new.decided, new.created)?;
        let copy = TeamCopy::of(&content);
        let row = NewOpportunityRow {
            number: new.number.0,
            address_id: new.address_id.0,
            content,
            created_at: ts(new.created.at),
            created_by: new.created.by.0,
            version: Version::FIRST.0,
        };
        let id: i64 = with_inner!(&mut *conn, |c| {
            diesel::insert_into(opportunities::table)
                .values(&row)
                .returning(opportunities::id)
                .get_result(c)
        })
        .dom()?;
        team.extend(
            new.team
                .iter()
                .map(|m| TeamRow::new(id, new.address_id, &copy, m)),
        );
        ids.push(OpportunityId(id));
    }
    insert_team(conn, &team)?;
    Ok(ids)
}

fn insert_team(conn: &mut AnyConnection, rows: &[TeamRow]) -> crm_core::Result<()> {
    insert_in_blocks!(conn, rows, 100, |c, block| {
        diesel::insert_into(opportunity_team::table)
            .values(block)
            .execute(c)
    });
    Ok(())
}

fn load_team(conn: &mut AnyConnection, id: i64) -> crm_core::Result<Vec<TeamMember>> {
    let rows: Vec<(i64, String, String)> = opportunity_team::table
        .filter(opportunity_team::opportunity_id.eq(id))
        .select((
            opportunity_team::user_id,
            opportunity_team::role,
            opportunity_team::access,
        ))
        .load(conn)
        .dom()?;
    let mut team = rows
        .iter()
        .map(|(user, role, access)| member(id, *user, role, access))
        .collect::<crm_core::Result<Vec<_>>>()?;
    team.sort_by_key(|m| (m.role != TeamRole::Lead, m.user));
    Ok(team)
}

/// How many of `user`'s team rows pass the filter's team-row criteria (open, close date
/// until, address) — the count of his list when it filters by nothing else.
fn team_count(
    conn: &mut AnyConnection,
    user: UserId,
    filter: &OpportunityFilter,
) -> crm_core::Result<i64> {
    let mut q = opportunity_team::table
        .filter(opportunity_team::user_id.eq(user.0))
        .into_boxed();
    if !filter.include_decided {
        q = q.filter(opportunity_team::is_open.eq(true));
    }
    if let Some(to) = filter.close_to {
        q = q.filter(opportunity_team::sort_date.le(to));
    }
    if let Some(address) = filter.address {
        q = q.filter(opportunity_team::address_id.eq(address.0));
    }
    q.count().get_result(conn).dom()
}
