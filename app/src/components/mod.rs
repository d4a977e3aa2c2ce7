//! Pieces shared by several pages.
pub mod account;
pub mod error_page;
pub mod first_trace;
pub mod import;
pub mod kind;
pub mod logs;
pub mod poll;
pub mod range_form;
pub mod stat;
pub mod title;
