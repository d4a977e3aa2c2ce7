//! The pages' data source: what `app`'s server functions call ([`app::data`]),
//! a thin face over [`crate::query::Reader`] and the services that change
//! settings; every error leaves as a [`app::error::PageError`] the same way.

mod access;
mod data;
mod error;

pub use access::AccessPages;
pub use data::PageData;
