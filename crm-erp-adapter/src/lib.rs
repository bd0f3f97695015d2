//! ERP adapters of the sales CRM: implementations of the ERP ports of `crm-core`
//! ([`Erp`](crm_core::Erp) and its parts).
//!
//! - [`InMemoryErp`]: an ERP in memory, for tests, examples and hosts that hold their ERP
//!   data in memory anyway.

mod memory;

pub use memory::InMemoryErp;
