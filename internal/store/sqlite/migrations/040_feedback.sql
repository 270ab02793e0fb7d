-- Feedback (docs/feedback.md): users' messages, ratings and feature
-- requests, and feature requests imported from GitHub. message, url and
-- feedback_features.feature are free text, scrubbed by the client and again
-- by the server before they get here. No address is stored; an
-- installation only when the feedback came with that installation's key,
-- and deleting the installation deletes its feedback (the cascade).
CREATE TABLE feedback (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    feedback_key     TEXT UNIQUE, -- "client:<feedback_id>" or "github:<issue url>"; NULL: none
    source           TEXT NOT NULL CHECK (source IN ('client', 'github')),
    received_at      TEXT NOT NULL,
    day              INTEGER NOT NULL, -- UTC days since 1970-01-01 of received_at
    installation_num INTEGER REFERENCES installations (num) ON DELETE CASCADE,
    version          TEXT NOT NULL,    -- '' when not given
    rating           INTEGER CHECK (rating BETWEEN 1 AND 5),
    votes            INTEGER NOT NULL, -- each requested feature's votes: 1, or a GitHub issue's 👍 + 1
    message          TEXT NOT NULL,
    url              TEXT NOT NULL     -- an imported issue's address; '' for a client's
);
CREATE INDEX feedback_received ON feedback (received_at);
CREATE INDEX feedback_installation ON feedback (installation_num);

-- The features a feedback requests, by name (report.NormalizeFeature).
CREATE TABLE feedback_features (
    feedback_id INTEGER NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
    feature     TEXT NOT NULL,
    PRIMARY KEY (feedback_id, feature)
) WITHOUT ROWID;
CREATE INDEX feedback_features_feature ON feedback_features (feature);
