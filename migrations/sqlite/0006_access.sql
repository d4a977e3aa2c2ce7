-- Access control (used when Loupe runs with --auth). Secrets are never stored:
-- passwords as argon2id PHC strings, session and API-key tokens as blake3 hashes,
-- so a copy of the database opens nothing.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL, -- argon2id, PHC string (salt and parameters inside)
    admin         INTEGER NOT NULL DEFAULT 0,
    created_ns    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY, -- blake3 of the cookie's token, hex
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_ns INTEGER NOT NULL,
    expires_ns INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL, -- the key's first characters, to tell keys apart in lists
    token_hash   TEXT    NOT NULL UNIQUE,
    scope        TEXT    NOT NULL, -- 'ingest' (OTLP only) or 'api' (OTLP and the JSON API)
    created_by   TEXT,
    created_ns   INTEGER NOT NULL,
    last_used_ns INTEGER,
    revoked_ns   INTEGER
);
