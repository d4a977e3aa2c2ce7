//! The page title, safe for any text. leptos_meta 0.8 writes the server-rendered
//! `<title>` without escaping it, so a span named `</title><script>…` would become
//! markup; the server escapes it here (a title's entities are decoded, so it reads
//! the same), and the browser sets `document.title` from the plain text.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let text = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    view! { <Title text /> }
}
