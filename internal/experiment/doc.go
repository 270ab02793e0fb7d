// Package experiment analyses fleet experiments: A/B tests of IndexPilot's
// algorithms across installations (docs/experiments.md). It validates new
// experiments for the registry, reads an experiment's stored reports
// through the store, and compares its variants with the installation as
// the unit and a test that stays valid however often it is looked at: an
// always-valid confidence sequence (the normal mixture of Howard et al.)
// on the difference of the variants' means. It also checks the split of
// installations (sample-ratio mismatch) and decides.
//
// Rules it keeps:
//
//   - The unit is the installation: each one's outcome is its metric
//     averaged over its reports since it entered the experiment. Reports
//     are never counted as independent observations: one installation
//     sends many, and its own baseline differs from the others' far more
//     than its days differ from one another.
//   - A decision that a variant is better is taken only when the
//     confidence sequence excludes no difference, so that looking every
//     day keeps the chance of a false "better" under Alpha.
//   - It returns aggregates only: counts, means and intervals per variant,
//     never an installation's id or its values.
package experiment
