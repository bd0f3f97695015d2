//! Draft quotes and the active sales documents, kept as exact JSON.

use crm_core::erp::{ActiveDocument, DraftQuote, DraftState};
use crm_core::{DraftId, DraftRepository, UserId, Version};
use diesel::prelude::*;
use diesel::upsert::excluded;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::DieselTx;
use crate::connection::with_inner;
use crate::error::QueryResultExt;
use crate::rows::ts;
use crate::schema::{active_documents, draft_quotes};

fn json(value: &impl Serialize) -> crm_core::Result<String> {
    serde_json::to_string(value).map_err(|e| crm_core::Error::Storage(e.to_string()))
}

fn parse<T: DeserializeOwned>(what: &str, data: &str) -> crm_core::Result<T> {
    serde_json::from_str(data)
        .map_err(|e| crm_core::Error::Storage(format!("{what}: stored record is unreadable: {e}")))
}

fn state(draft: &DraftQuote) -> &'static str {
    match draft.state {
        DraftState::Draft => "draft",
        DraftState::Submitted => "submitted",
        DraftState::Acknowledged => "acknowledged",
    }
}

impl DraftRepository for DieselTx<'_> {
    fn insert_draft(&mut self, draft: &DraftQuote) -> crm_core::Result<()> {
        diesel::insert_into(draft_quotes::table)
            .values((
                draft_quotes::id.eq(draft.id.0),
                draft_quotes::address_id.eq(draft.address_id.0),
                draft_quotes::state.eq(state(draft)),
                draft_quotes::submitted_at.eq(draft.submitted_at.map(ts)),
                draft_quotes::version.eq(draft.version.0),
                draft_quotes::data.eq(json(draft)?),
            ))
            .execute(&mut *self.conn)
            .dom()?;
        Ok(())
    }

    fn draft(&mut self, id: DraftId) -> crm_core::Result<Option<DraftQuote>> {
        let data: Option<String> = draft_quotes::table
            .filter(draft_quotes::id.eq(id.0))
            .select(draft_quotes::data)
            .first(&mut *self.conn)
            .optional()
            .dom()?;
        data.map(|d| parse(&format!("draft_quotes {id}"), &d))
            .transpose()
    }

    fn update_draft(&mut self, draft: &DraftQuote, expected: Version) -> crm_core::Result<bool> {
        let changed = diesel::update(
            draft_quotes::table
                .filter(draft_quotes::id.eq(draft.id.0))
                .filter(draft_quotes::version.eq(expected.0)),
        )
        .set((
            draft_quotes::state.eq(state(draft)),
            draft_quotes::submitted_at.eq(draft.submitted_at.map(ts)),
            draft_quotes::version.eq(draft.version.0),
            draft_quotes::data.eq(json(draft)?),
        ))
        .execute(&mut *self.conn)
        .dom()?;
        Ok(changed == 1)
    }

    fn outbox(&mut self, limit: u32) -> crm_core::Result<Vec<DraftQuote>> {
        let rows: Vec<(i64, String)> = draft_quotes::table
            .filter(draft_quotes::state.eq("submitted"))
            .order((draft_quotes::submitted_at, draft_quotes::id))
            .select((draft_quotes::id, draft_quotes::data))
            .limit(i64::from(limit))
            .load(&mut *self.conn)
            .dom()?;
        rows.iter()
            .map(|(id, d)| parse(&format!("draft_quotes {id}"), d))
            .collect()
    }

    fn active_document(&mut self, user: UserId) -> crm_core::Result<Option<ActiveDocument>> {
        let data: Option<String> = active_documents::table
            .filter(active_documents::user_id.eq(user.0))
            .select(active_documents::data)
            .first(&mut *self.conn)
            .optional()
            .dom()?;
        data.map(|d| parse(&format!("active_documents {user}"), &d))
            .transpose()
    }

    fn set_active_document(
        &mut self,
        user: UserId,
        document: &ActiveDocument,
    ) -> crm_core::Result<()> {
        let data = json(document)?;
        let conn = &mut *self.conn;
        with_inner!(conn, |c| diesel::insert_into(active_documents::table)
            .values((
                active_documents::user_id.eq(user.0),
                active_documents::data.eq(&data),
            ))
            .on_conflict(active_documents::user_id)
            .do_update()
            .set(active_documents::data.eq(excluded(active_documents::data)))
            .execute(c))
        .dom()?;
        Ok(())
    }
}
