-- Share links: read-only access to one trace without an account. Only a hash of the
-- token is kept, so a copy of the database does not hand out working links.
CREATE TABLE share_links (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT    NOT NULL UNIQUE, -- blake3 of the token, hex
    trace_id   TEXT    NOT NULL,
    created_ns INTEGER NOT NULL,
    expires_ns INTEGER NOT NULL,
    revoked_ns INTEGER
);
-- The trace page lists its links.
CREATE INDEX share_links_by_trace ON share_links (trace_id, id);
