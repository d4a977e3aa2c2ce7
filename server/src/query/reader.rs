//! [`Reader`]: a borrowed view of the services a read needs.

use crate::state::AppState;

/// Reads through the store and the services in force (prices, sampling,
/// retention, alert rules). Cheap: made per request with [`AppState::read`].
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    pub(super) state: &'a AppState,
}

impl AppState {
    /// The read facade over this state.
    pub fn read(&self) -> Reader<'_> {
        Reader { state: self }
    }
}
