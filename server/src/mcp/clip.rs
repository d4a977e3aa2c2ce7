//! Bounding an answer: long strings are clipped in place, saying how long they were.

use serde_json::Value;

/// Clips every string in `v` to `most` characters.
pub fn clip_strings(v: &mut Value, most: usize) {
    match v {
        Value::String(s) => {
            let chars = s.chars().count();
            if chars > most {
                let mut cut: String = s.chars().take(most).collect();
                cut.push_str(&format!("… ({chars} characters in all; the span page shows them)"));
                *s = cut;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| clip_strings(i, most)),
        Value::Object(map) => map.values_mut().for_each(|i| clip_strings(i, most)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::clip_strings;
    use serde_json::json;

    #[test]
    fn long_strings_are_clipped_everywhere_and_short_ones_kept() {
        let mut v = json!({ "a": "x".repeat(10), "b": [{ "c": "é".repeat(30) }], "n": 3 });
        clip_strings(&mut v, 20);
        assert_eq!(v["a"], "x".repeat(10));
        assert_eq!(v["b"][0]["c"], format!("{}… (30 characters in all; the span page shows them)", "é".repeat(20)));
        assert_eq!(v["n"], 3);
    }
}
