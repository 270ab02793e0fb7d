-- Fleet experiments (docs/experiments.md): the registry, the twin of the
-- SQLite table. variants and split have the same length; the first
-- variant is the control. end_at is NULL while the experiment is
-- open-ended.
CREATE TABLE experiments (
    name             TEXT COLLATE "C" PRIMARY KEY,
    variants         TEXT[] NOT NULL,
    split            DOUBLE PRECISION[] NOT NULL,
    metric           TEXT NOT NULL,
    higher_is_better BOOLEAN NOT NULL,
    min_effect       DOUBLE PRECISION NOT NULL,
    start_at         TIMESTAMPTZ NOT NULL,
    end_at           TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL
);
