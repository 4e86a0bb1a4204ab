//! Hooks shared by pages: the session, data loading, forms and mutations, and the colour
//! theme.

pub mod form;
pub mod mutation;
pub mod paged;
pub mod query;
pub mod session;
pub mod theme;

pub use form::FormErrors;
pub use mutation::{Mutation, MutationOptions, use_mutation};
pub use paged::{PagedHandle, Pages, use_paged_query};
pub use query::{Load, QueryHandle, use_query};
pub use session::{Session, SessionProvider, SessionState, use_session};
