//! A span's *step*: its name with the parts that vary per call folded, so the
//! latency rollup has one row for "case 17" and "case 18" ("case {n}"), or for
//! "GET /orders/8812" and "GET /orders/9921" ("GET /orders/{n}").
//!
//! Only whole tokens (between spaces, slashes and similar separators) are folded:
//! model names such as `gpt-4o` or `claude-3-5-haiku-20241022` stay as they are.

/// Separators between tokens.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '/' | ':' | '=' | '#' | '?' | '&' | ',' | ';' | '(' | ')' | '[' | ']')
}

/// The step name of a span name.
pub fn step_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut start = 0;
    for (i, c) in name.char_indices() {
        if is_separator(c) {
            out.push_str(&fold(&name[start..i]));
            out.push(c);
            start = i + c.len_utf8();
        }
    }
    out.push_str(&fold(&name[start..]));
    out
}

fn fold(token: &str) -> std::borrow::Cow<'_, str> {
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
        return "{n}".into();
    }
    let hex = token.bytes().filter(u8::is_ascii_hexdigit).count();
    let id_like = hex >= 8 && token.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') && token.bytes().any(|b| b.is_ascii_digit());
    if id_like { "{id}".into() } else { token.into() }
}

#[cfg(test)]
mod tests {
    use super::step_name;

    #[test]
    fn numbers_and_ids_fold_and_model_names_do_not() {
        assert_eq!(step_name("case 17"), "case {n}");
        assert_eq!(step_name("GET /orders/8812/items"), "GET /orders/{n}/items");
        assert_eq!(step_name("GET /runs/550e8400-e29b-41d4-a716-446655440000"), "GET /runs/{id}");
        assert_eq!(step_name("fetch doc 9f86d081884c7d65"), "fetch doc {id}");
        assert_eq!(step_name("chat claude-3-5-haiku-20241022"), "chat claude-3-5-haiku-20241022");
        assert_eq!(step_name("chat gpt-4o"), "chat gpt-4o");
        assert_eq!(step_name("execute_tool search_hotels"), "execute_tool search_hotels");
        assert_eq!(step_name("deadbeef"), "deadbeef", "hex letters alone are a word");
        assert_eq!(step_name(""), "");
    }
}
