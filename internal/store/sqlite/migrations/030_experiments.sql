-- Fleet experiments (docs/experiments.md): the registry. variants and
-- split are JSON arrays of the same length; the first variant is the
-- control. end_at is NULL while the experiment is open-ended.
CREATE TABLE experiments (
    name             TEXT PRIMARY KEY,
    variants         TEXT NOT NULL,
    split            TEXT NOT NULL,
    metric           TEXT NOT NULL,
    higher_is_better INTEGER NOT NULL,
    min_effect       REAL NOT NULL,
    start_at         TEXT NOT NULL,
    end_at           TEXT,
    created_at       TEXT NOT NULL
);
