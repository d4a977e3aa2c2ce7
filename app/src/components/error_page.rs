//! A page that could not be shown: what went wrong and the way back. Sets the HTTP
//! status of the server-rendered response.

use leptos::prelude::*;

use crate::error::PageError;

#[component]
/// `what` names the thing asked for, in lower case: "trace".
pub fn ErrorPage(error: PageError, what: &'static str) -> impl IntoView {
    error.set_response_status();
    let title = match &error {
        PageError::NotFound(_) => format!("No such {what}"),
        PageError::BadRequest(_) => format!("That is not a {what} id"),
        PageError::Gone(_) => "This link no longer works".to_string(),
        PageError::Unauthorized(_) => "Sign in to see this".to_string(),
        PageError::Forbidden(_) => "Not allowed".to_string(),
        PageError::Unavailable(_) => "Loupe cannot show this right now".to_string(),
    };
    view! {
        <crate::components::title::PageTitle text=format!("{title} · Loupe") />
        <section class="error-page" data-testid="error-page" data-status=error.status()>
            <h1>{title}</h1>
            <p>{sentence(&error.to_string())}</p>
            <p><a href="/">"Back to all traces"</a></p>
        </section>
    }
}

/// Error messages are written as the JSON API gives them, in lower case; on a
/// page they begin a sentence.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_begin_a_sentence() {
        assert_eq!(super::sentence("no trace with id ab is stored"), "No trace with id ab is stored");
        assert_eq!(super::sentence(""), "");
    }
}
