//! Converters behind `omnisync import`: an existing product's sync configuration in,
//! an omnisync rules file out.
//!
//! - [`from_cti_adapter`]: Amazon Connect CTI Adapter "Presence Sync Rules" records,
//!   as CSV or as JSON (a list, or Salesforce's `{"records": [...]}`).
//! - [`from_cxone`]: NICE CXone publisher and subscriber state mapping tables (JSON).
//!
//! Nothing is dropped silently: a record that cannot be converted is listed in
//! [`Imported::skipped`] with a plain reason, and input that cannot be read at all is an
//! [`ImportError`].
//!
//! `statuses` is left empty on purpose. Neither product exports ServicePresenceStatus
//! Ids, and invented Ids would make the file look valid while pointing nowhere. Given
//! the org's catalog, [`Imported::fill_statuses`] adds every status the rules use by
//! DeveloperName (`import --catalog`); without it the CLI lists
//! [`Imported::statuses_needed`] and `omnisync check` refuses the file until they are
//! added.
//! `telephony.states` lists every telephony state the records mention, except the
//! built-in system states, which are always readable.

mod common;
mod cti_adapter;
mod cxone;
mod cxone_users;
mod statuses;

pub use common::{ImportError, Imported, Note, Skipped};
pub use cti_adapter::from_cti_adapter;
pub use cxone::{from_cxone, from_cxone_with_users, CXONE_SYSTEM_STATES};
pub use cxone_users::CxoneUserMap;
pub use statuses::Filled;
