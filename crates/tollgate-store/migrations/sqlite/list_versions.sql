-- The screening list version the nodes of a deployment agree on (issue 11), and the list files
-- themselves, so a node that did not download a version can load it. Applied idempotently by
-- src/list_versions.rs (CREATE ... IF NOT EXISTS), outside the numbered migrations.
CREATE TABLE IF NOT EXISTS list_versions (
    source      TEXT PRIMARY KEY,   -- csl, ofac, un, opensanctions
    version     TEXT NOT NULL,      -- the files' SHA-256s joined by '+', or 'bundled'
    as_of       TEXT NOT NULL,
    state       TEXT NOT NULL,      -- the list directory's state of the source (JSON), '' for bundled
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS list_files (
    sha256      TEXT PRIMARY KEY,
    file        TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    stored_at   TEXT NOT NULL
);
