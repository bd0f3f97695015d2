//! Notes: free text on an address, or through [`EntityRef`] on any record of an address.

use serde::{Deserialize, Serialize};

use crate::address::Stamp;
use crate::entity::EntityRef;
use crate::error::{Result, ValueError};
use crate::ids::{AddressId, NoteId, UserId, Version};

/// Longest note text, in characters.
pub const MAX_NOTE_LEN: usize = 20_000;

/// A note as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Id.
    pub id: NoteId,
    /// The address whose context the note belongs to; decides who may see it.
    pub address_id: AddressId,
    /// The record the note is about: the address itself, or a record of it.
    pub about: EntityRef,
    /// Text.
    pub text: String,
    /// Who wrote it.
    pub author: UserId,
    /// When it was written.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last edit, if edited.
    pub edited: Option<Stamp>,
    /// Version.
    pub version: Version,
}

/// A new note to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNote {
    /// Address.
    pub address_id: AddressId,
    /// What it is about.
    pub about: EntityRef,
    /// Validated text.
    pub text: String,
    /// Author and time.
    pub created: Stamp,
}

/// Checks a note text: not blank, at most [`MAX_NOTE_LEN`] characters. Line breaks are kept.
///
/// # Errors
/// A [`ValueError`] with the reason.
pub fn note_text(raw: &str) -> Result<String, ValueError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValueError::new("must not be empty"));
    }
    let len = text.chars().count();
    if len > MAX_NOTE_LEN {
        return Err(ValueError::new(format!(
            "is {len} characters long, at most {MAX_NOTE_LEN} allowed"
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ValueError::new("contains control characters"));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_text_keeps_lines_and_rejects_blank() {
        assert_eq!(
            note_text(" Besuch am Montag\nOfferte folgt ").unwrap(),
            "Besuch am Montag\nOfferte folgt"
        );
        assert!(note_text(" \n ").is_err());
        assert!(note_text(&"x".repeat(MAX_NOTE_LEN + 1)).is_err());
    }
}
