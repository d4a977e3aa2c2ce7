//! The two databases Loupe runs on, and the few tools that let each query be
//! written once for both.
//!
//! SQLite and PostgreSQL share almost all of Loupe's SQL: `$N` placeholders
//! (sqlx's SQLite driver reads them too), `ON CONFLICT … DO UPDATE`, `RETURNING`,
//! row values, window functions. Where they differ, [`Dialect`] says how. A query
//! is written once inside [`with_db!`], which expands it once per backend, so each
//! copy is type-checked against its driver and nothing is decided at run time but
//! the one `match`. Rows are decoded by column name into `#[derive(sqlx::FromRow)]`
//! structs, which hold for both drivers; binding goes through [`Arg`], so helpers
//! stay ordinary generic functions.

use sqlx::postgres::{PgConnectOptions, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnectOptions};
use sqlx::{Encode, Pool, QueryBuilder, Type};

/// The pools of one backend. On SQLite `read` is query-only and `admin` is one
/// connection (one writer at a time); on PostgreSQL both are the same pool.
pub(crate) struct Pools<DB: sqlx::Database> {
    pub read: Pool<DB>,
    pub admin: Pool<DB>,
}

impl<DB: sqlx::Database> Clone for Pools<DB> {
    fn clone(&self) -> Self {
        Self { read: self.read.clone(), admin: self.admin.clone() }
    }
}

#[derive(Clone)]
pub(crate) enum Db {
    Sqlite { pools: Pools<Sqlite>, options: SqliteConnectOptions },
    Postgres { pools: Pools<Postgres>, options: PgConnectOptions },
}

/// Where the two SQL dialects part.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// How an admin-pool transaction that reads before it writes begins. On
    /// SQLite, `IMMEDIATE` takes the write lock first, waiting for the writer
    /// under `busy_timeout`; a plain `BEGIN` would read a snapshot, and if the
    /// writer commits in between, its first write fails at once with "database is
    /// locked" (SQLITE_BUSY_SNAPSHOT: no busy wait can help a stale snapshot).
    pub fn begin_write(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// Scalar maximum of two values (SQLite's two-argument `MAX`).
    pub fn greatest(self) -> &'static str {
        match self {
            Dialect::Sqlite => "MAX",
            Dialect::Postgres => "GREATEST",
        }
    }

    pub fn least(self) -> &'static str {
        match self {
            Dialect::Sqlite => "MIN",
            Dialect::Postgres => "LEAST",
        }
    }

    /// An index hint: SQLite's planner sometimes needs `INDEXED BY` to take the
    /// covering index; PostgreSQL has no hints and picks it by cost.
    pub fn indexed_by(self, index: &str) -> String {
        match self {
            Dialect::Sqlite => format!(" INDEXED BY {index}"),
            Dialect::Postgres => String::new(),
        }
    }

    /// A join whose left side must stay the outer loop: SQLite keeps the written
    /// order for `CROSS JOIN`; PostgreSQL plans `JOIN` by cost (and rejects `ON`
    /// after `CROSS JOIN`).
    pub fn ordered_join(self) -> &'static str {
        match self {
            Dialect::Sqlite => "CROSS JOIN",
            Dialect::Postgres => "JOIN",
        }
    }

    /// How a span (`s`) meets its details (`d`): SQLite keys details by the span's
    /// rowid; PostgreSQL by (trace_id, id), so a trace's rows stay together when
    /// the tables are distributed by trace id.
    pub fn details_on(self) -> &'static str {
        match self {
            Dialect::Sqlite => "d.id = s.id",
            Dialect::Postgres => "d.trace_id = s.trace_id AND d.id = s.id",
        }
    }

    /// Case-insensitive `LIKE` (SQLite's `LIKE` already is, for ASCII).
    pub fn ilike(self) -> &'static str {
        match self {
            Dialect::Sqlite => "LIKE",
            Dialect::Postgres => "ILIKE",
        }
    }
}

/// Runs `$body` with `$pools` bound to the store's [`Pools`], once per backend.
/// Inside, `DB` names the sqlx database type and `D` the [`Dialect`].
macro_rules! with_db {
    ($store:expr, $pools:ident => $body:expr) => {
        match &$store.db {
            $crate::store::backend::Db::Sqlite { pools: $pools, .. } => {
                #[allow(dead_code)]
                type DB = ::sqlx::Sqlite;
                #[allow(dead_code)]
                const D: $crate::store::backend::Dialect = $crate::store::backend::Dialect::Sqlite;
                $body
            }
            $crate::store::backend::Db::Postgres { pools: $pools, .. } => {
                #[allow(dead_code)]
                type DB = ::sqlx::Postgres;
                #[allow(dead_code)]
                const D: $crate::store::backend::Dialect = $crate::store::backend::Dialect::Postgres;
                $body
            }
        }
    };
}
pub(crate) use with_db;

/// `per_backend! { impl Name { … } }` defines the associated functions inside on
/// `Name<Sqlite>` and on `Name<Postgres>`, where `Name<DB>` is a namespace the
/// calling file declares: a call reads `Batch::<DB>::write_batch(…)` and names the
/// file it lives in. Inside, `DB` is the sqlx database, `Conn` its connection
/// and `D` its [`Dialect`]. For the helpers that take a connection (the write
/// path), which [`with_db!`] bodies call.
macro_rules! per_backend {
    (impl $name:ident { $($items:tt)* }) => {
        const _: () = {
            #[allow(dead_code)]
            type DB = ::sqlx::Sqlite;
            #[allow(dead_code)]
            type Conn = ::sqlx::SqliteConnection;
            #[allow(dead_code)]
            const D: $crate::store::backend::Dialect = $crate::store::backend::Dialect::Sqlite;
            impl $name<DB> { $($items)* }
        };
        const _: () = {
            #[allow(dead_code)]
            type DB = ::sqlx::Postgres;
            #[allow(dead_code)]
            type Conn = ::sqlx::PgConnection;
            #[allow(dead_code)]
            const D: $crate::store::backend::Dialect = $crate::store::backend::Dialect::Postgres;
            impl $name<DB> { $($items)* }
        };
    };
}
pub(crate) use per_backend;

/// Rows per multi-row statement for the small rows (rollups, resources): well
/// under SQLite's 32,766 bound parameters at up to 16 columns.
pub(crate) const SMALL_ROWS_PER_STATEMENT: usize = 2000;

/// A stable 64-bit PostgreSQL advisory lock key for `name`.
pub(crate) fn advisory_key(name: &str) -> i64 {
    let h = blake3::hash(format!("loupe:{name}").as_bytes());
    i64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// A value both drivers bind.
pub(crate) trait Arg: for<'t> Encode<'t, Sqlite> + Type<Sqlite> + for<'t> Encode<'t, Postgres> + Type<Postgres> {}
impl<T> Arg for T where T: for<'t> Encode<'t, Sqlite> + Type<Sqlite> + for<'t> Encode<'t, Postgres> + Type<Postgres> {}

/// Adds `(v1, v2, …)`, each value bound, for an `IN` list.
pub(crate) fn push_in_list<T: Arg>(q: &mut impl Sql, values: impl IntoIterator<Item = T>) {
    q.push("(");
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_bind(v);
    }
    q.push(")");
}

/// A query being built for either backend, for helpers that add clauses.
pub(crate) trait Sql {
    fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self;
    fn push_bind<T: Arg>(&mut self, value: T) -> &mut Self;
}

impl Sql for QueryBuilder<Sqlite> {
    fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        QueryBuilder::push(self, sql)
    }
    fn push_bind<T: Arg>(&mut self, value: T) -> &mut Self {
        QueryBuilder::push_bind(self, value)
    }
}

impl Sql for QueryBuilder<Postgres> {
    fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        QueryBuilder::push(self, sql)
    }
    fn push_bind<T: Arg>(&mut self, value: T) -> &mut Self {
        QueryBuilder::push_bind(self, value)
    }
}
