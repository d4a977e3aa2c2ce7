//! Scrubs personal data and secrets from strings that are kept (span names, status
//! and exception messages, non-content attributes), replacing each with a typed
//! placeholder: `[email]`, `[card]`, `[phone]`, `[secret]`.
//!
//! One combined regex, so a clean string costs a single scan on the ingest path;
//! ASCII word boundaries and digit classes keep it on the regex crate's fast DFA.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // "Bearer <token>" in copied headers.
        r"(?P<bearer>(?-u:\b)[Bb]earer\s+[A-Za-z0-9._~+/=-]{8,})",
        // Provider API keys, cloud keys, JWTs, and key=value secrets.
        r"|(?P<key>(?-u:\b)(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}",
        r"|(?-u:\b)AKIA[0-9A-Z]{16}(?-u:\b)",
        r"|(?-u:\b)gh[pousr]_[A-Za-z0-9]{30,}",
        r"|(?-u:\b)xox[abprs]-[A-Za-z0-9-]{10,}",
        r"|(?-u:\b)AIza[0-9A-Za-z_-]{35}",
        r"|(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
        r"|(?P<assign>(?i:api[_-]?key|secret|token|password|passwd)\s*[:=]\s*)(?P<value>[^\s,;]{6,})",
        r"|(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})",
        // Card numbers: 13-19 digits, optional single separators, issuer prefix 2-6;
        // confirmed with the Luhn checksum so ordinary long numbers survive.
        r"|(?P<card>(?-u:\b)[2-6](?:[ -]?[0-9]){12,18}(?-u:\b))",
        // Phone numbers in international or separated local form.
        r"|(?P<phone>\+[0-9][[0-9] .()-]{7,}[0-9]|(?:\([0-9]{2,4}\)\s?|(?-u:\b)[0-9]{2,4}[ .-])[0-9]{3,4}[ .-][0-9]{3,4}(?-u:\b))",
    ))
    .expect("scrub pattern compiles")
});

/// Returns the string unchanged (borrowed) when there is nothing to scrub.
pub fn scrub(s: &str) -> Cow<'_, str> {
    let scrubbed = PATTERN.replace_all(s, |caps: &Captures| -> String {
        if caps.name("bearer").is_some() {
            "Bearer [secret]".into()
        } else if caps.name("key").is_some() {
            "[secret]".into()
        } else if let Some(label) = caps.name("assign") {
            format!("{}[secret]", label.as_str())
        } else if caps.name("email").is_some() {
            "[email]".into()
        } else if let Some(card) = caps.name("card") {
            if luhn_valid(card.as_str()) { "[card]".into() } else { card.as_str().into() }
        } else {
            "[phone]".into()
        }
    });
    match scrubbed {
        // A long number that only looked like a card comes back unchanged.
        Cow::Owned(out) if out == s => Cow::Borrowed(s),
        other => other,
    }
}

fn luhn_valid(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 =
        digits.iter().rev().enumerate().map(|(i, &d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }).sum();
    digits.len() >= 13 && sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn scrubs_each_kind_with_its_placeholder() {
        let cases = [
            ("write to alice@example.com now", "write to [email] now"),
            ("card 4111 1111 1111 1111 ok", "card [card] ok"),
            ("card 4111111111111111", "card [card]"),
            ("call +1 415 555 0100", "call [phone]"),
            ("call (415) 555-0100", "call [phone]"),
            ("key sk-proj-abcdefghijklmnop1234", "key [secret]"),
            ("Authorization: Bearer abc.def-ghi_jkl", "Authorization: Bearer [secret]"),
            ("api_key=supersecretvalue", "api_key=[secret]"),
            ("aws AKIAIOSFODNN7EXAMPLE", "aws [secret]"),
        ];
        for (input, want) in cases {
            assert_eq!(scrub(input), want, "scrubbing {input:?}");
        }
    }

    #[test]
    fn leaves_ordinary_strings_alone() {
        for s in [
            "chat gpt-4o",
            "execute_tool search_hotels",
            "1795466077373518488",
            "2026-11-23T10:00:00Z",
            "v1.45.2",
            "upstream 504",
            "hotels-index",
            "traveller-9",
            "4111111111111112",
        ] {
            assert!(matches!(scrub(s), Cow::Borrowed(_)), "{s:?} was changed to {:?}", scrub(s));
        }
    }

    fn luhn_complete(prefix_and_body: &str) -> String {
        (0..10).map(|d| format!("{prefix_and_body}{d}")).find(|n| luhn_valid(n)).expect("one check digit fits")
    }

    proptest! {
        #[test]
        fn no_generated_email_survives(
            local in "[a-z0-9][a-z0-9._+-]{0,20}",
            domain in "[a-z0-9]{1,12}(\\.[a-z0-9]{1,8}){0,2}\\.[a-z]{2,6}",
            before in "[ -~]{0,30}",
            after in "[ -~]{0,30}",
        ) {
            let email = format!("{local}@{domain}");
            let out = scrub(&format!("{before} {email} {after}")).into_owned();
            prop_assert!(!out.contains(&email), "{} survived in {}", email, out);
        }

        #[test]
        fn no_generated_card_survives(
            first in "[3-6]",
            body in "[0-9]{14}",
            sep in prop_oneof![Just(""), Just(" "), Just("-")],
            before in "[a-zA-Z ]{0,20}",
        ) {
            let digits = luhn_complete(&format!("{first}{body}"));
            let card: String = digits
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join(sep);
            let out = scrub(&format!("{before} {card} end")).into_owned();
            prop_assert!(!out.contains(&card), "{} survived in {}", card, out);
            prop_assert!(!out.contains(&digits), "{} survived in {}", digits, out);
        }

        #[test]
        fn no_generated_key_survives(
            prefix in prop_oneof![Just("sk-"), Just("sk-proj-"), Just("sk-ant-api03-"), Just("ghp_"), Just("xoxb-")],
            body in "[A-Za-z0-9]{32,48}",
            before in "[a-zA-Z:= ]{0,20}",
        ) {
            let key = format!("{prefix}{body}");
            let out = scrub(&format!("{before} {key} end")).into_owned();
            prop_assert!(!out.contains(&body), "{} survived in {}", key, out);
        }

        #[test]
        fn no_generated_phone_survives(
            cc in "[1-9][0-9]{0,2}",
            a in "[0-9]{3}", b in "[0-9]{3}", c in "[0-9]{4}",
            sep in prop_oneof![Just(" "), Just("-"), Just(".")],
        ) {
            let phone = format!("+{cc} {a}{sep}{b}{sep}{c}");
            let out = scrub(&format!("call {phone} today")).into_owned();
            prop_assert!(!out.contains(&phone), "{} survived in {}", phone, out);
        }

        #[test]
        fn scrubbing_is_idempotent(s in "[ -~]{0,80}") {
            let once = scrub(&s).into_owned();
            prop_assert_eq!(scrub(&once).into_owned(), once.clone());
        }
    }
}
