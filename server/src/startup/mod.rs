//! Starting and stopping Loupe, in the order [`crate::start`] reads: the checks
//! before anything listens, the sockets, the services and their tasks, the
//! banner, and [`Running`], which serves and then stops everything in order.

pub(crate) mod banner;
pub(crate) mod checks;
pub(crate) mod listeners;
mod prices;
mod running;
pub(crate) mod services;
mod summary;
mod tasks;

pub use running::Running;
