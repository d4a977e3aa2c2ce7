//! The six token columns that spans and trace summaries both carry, read by name
//! into [`Tokens`] (flattened into a row struct with `#[sqlx(flatten)]`).

use crate::domain::Tokens;

#[derive(sqlx::FromRow)]
pub(super) struct TokenColumns {
    input_tokens: i64,
    output_tokens: i64,
    cache_read_tokens: i64,
    cache_write_tokens: i64,
    reasoning_tokens: i64,
    total_tokens: i64,
}

impl From<TokenColumns> for Tokens {
    fn from(c: TokenColumns) -> Tokens {
        Tokens {
            input: c.input_tokens,
            output: c.output_tokens,
            cache_read: c.cache_read_tokens,
            cache_write: c.cache_write_tokens,
            reasoning: c.reasoning_tokens,
            total: c.total_tokens,
        }
    }
}
