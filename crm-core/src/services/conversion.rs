//! Converting a lead into a customer, with its duplicate check.

use serde::{Deserialize, Serialize};

use super::addresses::{AddressService, require_complete};
use super::reps;
use crate::address::{Address, AddressKind};
use crate::duplicates::{DuplicateCandidate, DuplicateProbe, assess};
use crate::entity::EntityKind;
use crate::error::{Error, Result};
use crate::ids::{AddressId, AddressNumber, Version};
use crate::ports::{Store, Tx};
use crate::trace::{DomainEvent, EventDetail};
use crate::user::Actor;

/// How many stored addresses the duplicate check looks at, at most.
const CANDIDATE_LIMIT: u32 = 200;

/// What a conversion would do, computed without changing anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionPreview {
    /// The lead as it is.
    pub lead: Address,
    /// The customer number it would get if converted now (another conversion may take it
    /// first; the commit allocates its own).
    pub new_number: AddressNumber,
    /// The fields the conversion changes, old and new value.
    pub changes: Vec<FieldChange>,
    /// Fields the customer still needs (street, postal code, city); the conversion fails
    /// until they are filled.
    pub missing: Vec<String>,
    /// Customers that may be the same party, strongest first, with the reasons.
    pub candidates: Vec<DuplicateCandidate>,
    /// Whether a strong candidate blocks the conversion unless overridden.
    pub blocked: bool,
}

/// One field a change would alter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Field name as in the address (`kind`, `number`, …).
    pub field: String,
    /// The value now.
    pub from: String,
    /// The value after the change.
    pub to: String,
}

/// Options of a conversion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvertOptions {
    /// Convert although strong duplicate candidates exist; the caller confirms that they are
    /// different parties.
    pub override_duplicates: bool,
}

/// The result of a conversion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    /// The customer, with its new number and conversion stamp.
    pub customer: Address,
    /// The number it had as a lead.
    pub lead_number: AddressNumber,
    /// The candidates that were found (and, if strong, overridden).
    pub candidates: Vec<DuplicateCandidate>,
}

impl<S: Store> AddressService<'_, S> {
    /// Dry run of [`AddressService::convert_to_customer`]: what would change, the new
    /// customer number, and the duplicate candidates with the reasons each matched.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the lead is not visible; [`Error::Invalid`] naming `kind`
    /// when the address is already a customer.
    pub fn preview_conversion(&self, actor: &Actor, id: AddressId) -> Result<ConversionPreview> {
        self.ctx.store.read(|tx| {
            let lead = self.ctx.visible_address(tx, actor, id)?;
            require_lead(&lead)?;
            let candidates = self.candidates(tx, actor, &lead)?;
            let range = self.ctx.rules.numbers.customer;
            let mut next = tx.peek(
                crate::numbering::NumberRanges::counter(AddressKind::Customer),
                range.start(),
            )?;
            let taken = tx.numbers_taken(next, range.end().min(next + 1_000))?;
            while taken.binary_search(&next).is_ok() {
                next += 1;
            }
            let change = |field: &str, from: String, to: String| FieldChange {
                field: field.into(),
                from,
                to,
            };
            Ok(ConversionPreview {
                new_number: AddressNumber(next),
                changes: vec![
                    change(
                        "kind",
                        lead.kind.to_string(),
                        AddressKind::Customer.to_string(),
                    ),
                    change("number", lead.number.to_string(), next.to_string()),
                    change("lead_number", String::new(), lead.number.to_string()),
                ],
                missing: lead
                    .data
                    .postal
                    .missing_for_letter()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                blocked: candidates.iter().any(|c| c.strong),
                candidates,
                lead,
            })
        })
    }

    /// Converts a lead into a customer, atomically: a new number from the customer range, the
    /// former lead number kept, converted-at/by stamped. Refused with [`Error::Duplicate`]
    /// (listing the candidates) when a strong duplicate exists, unless
    /// [`ConvertOptions::override_duplicates`] is set.
    ///
    /// # Errors
    /// [`Error::Duplicate`]; [`Error::Conflict`] for a stale version; [`Error::Invalid`] when
    /// the address is not a lead or lacks street, postal code or city; [`Error::NotFound`];
    /// [`Error::Forbidden`] when the lead is not the actor's.
    pub fn convert_to_customer(
        &self,
        actor: &Actor,
        id: AddressId,
        expected: Version,
        options: ConvertOptions,
    ) -> Result<Conversion> {
        let done = self.ctx.store.write(|tx| {
            let lead = self.ctx.address_for_write(tx, actor, id)?;
            if lead.version != expected {
                return Err(Error::conflict(
                    EntityKind::Address,
                    lead.number,
                    expected.0,
                ));
            }
            require_lead(&lead)?;
            require_complete(&lead.data)?;
            let candidates = self.candidates(tx, actor, &lead)?;
            let strong = candidates.iter().filter(|c| c.strong).count();
            if strong > 0 && !options.override_duplicates {
                return Err(Error::Duplicate {
                    what: format!(
                        "customer: lead {} matches {strong} existing customer(s) strongly",
                        lead.number
                    ),
                    candidates,
                });
            }
            let number = self
                .ctx
                .allocate_numbers(tx, AddressKind::Customer, 1)?
                .pop()
                .ok_or_else(|| Error::Storage("no number allocated".into()))?;
            let lead_number = lead.number;
            let stamp = self.ctx.stamp(actor);
            let mut converted = lead.clone();
            converted.kind = AddressKind::Customer;
            converted.number = number;
            converted.lead_number = Some(lead_number);
            converted.converted = Some(stamp);
            let data = converted.data.clone();
            let customer = self.save(tx, actor, converted, data, expected)?;
            self.ctx.record(
                tx,
                actor,
                [DomainEvent::new(
                    customer.id,
                    customer.id.into(),
                    reps(&customer),
                    EventDetail::LeadConverted {
                        lead_number,
                        customer_number: customer.number,
                        name: customer.data.display_name(),
                    },
                )],
            )?;
            Ok(Conversion {
                customer,
                lead_number,
                candidates,
            })
        })?;
        self.ctx.addresses_changed(&[done.customer.id])?;
        Ok(done)
    }

    fn candidates(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        lead: &Address,
    ) -> Result<Vec<DuplicateCandidate>> {
        let probe = DuplicateProbe::for_address(lead);
        let scope = self.ctx.scope(actor);
        let mut found: Vec<(DuplicateCandidate, f64)> = tx
            .duplicate_candidates(&probe, CANDIDATE_LIMIT)?
            .into_iter()
            .filter_map(|candidate| {
                let (reasons, strong) = assess(lead, &candidate, &self.ctx.rules.duplicates)?;
                let visible = scope.admits(&candidate);
                let weight = reasons.len() as f64
                    + reasons
                        .iter()
                        .map(|r| match r {
                            crate::duplicates::MatchReason::SimilarName { similarity } => {
                                *similarity
                            }
                            _ => 0.0,
                        })
                        .sum::<f64>();
                Some((
                    DuplicateCandidate {
                        id: candidate.id,
                        number: candidate.number,
                        name: visible.then(|| candidate.data.display_name()),
                        city: if visible {
                            candidate.data.postal.city.clone()
                        } else {
                            None
                        },
                        visible,
                        reasons,
                        strong,
                    },
                    weight,
                ))
            })
            .collect();
        found.sort_by(|a, b| {
            b.0.strong
                .cmp(&a.0.strong)
                .then(b.1.total_cmp(&a.1))
                .then(a.0.number.cmp(&b.0.number))
        });
        Ok(found.into_iter().map(|(c, _)| c).collect())
    }
}

fn require_lead(address: &Address) -> Result<()> {
    if address.kind == AddressKind::Lead {
        Ok(())
    } else {
        Err(Error::invalid(
            "kind",
            format!("address {} is already a customer", address.number),
        ))
    }
}
