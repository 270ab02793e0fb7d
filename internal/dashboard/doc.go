// Package dashboard turns the daily rollups into what the maintainers
// read: the model every reader of the rollups shares, and the baseline
// design's stats and trends and the overview page built on it. It reads the
// rollups alone, never raw reports, so its cost depends on the number of
// days and keys, not of reports.
//
// A reader (release health, anomalies, priorities, forecasts, the weekly
// report, the public page…) takes its figures from the model rather than
// computing them again (package insights' priorities, algorithm advice,
// combinations and forecasts read a Window through Service):
//
//   - Periods: Period (From, To, Days, Previous, Contains, Index,
//     DayNames, ISOWeek), LastDays, LastCompleteDays, EndingOn, WeekOf;
//     ActiveWindow (the default period), MaxTrendDays.
//   - Reading: Service.Window (a period's rows with their installation
//     bitmaps), Service.Counts (without, for long series),
//     Service.Seen (the installations of a period), Service.Retained and
//     Service.RetentionDays ("all time": the rollup retention,
//     rollup.DefaultRetention unless configured).
//   - Combining a Window's rows: over its days, Sum, SumDuring, Installs,
//     InstallsDuring, Active, SquaresKept (whether a spread of the
//     improvement may be computed); day by day, Counts, Installations,
//     Shares, Improvement, Row, Rows; across keys, Keys, Adoption, Cohorts,
//     FirstDay, FirstIn (new installations, first use), Within (a filter:
//     the installations of one key, day by day).
//   - Versions: VersionsNewestFirst, NewestVersions (each installation
//     under its newest version), VersionGroups (the SeriesVersions most
//     used by name, the rest as OtherVersions), CountsOf, NewestByDay.
//   - Measures of counters: Pct, AvgImprovement, ErrorRatePct,
//     DecisionRate, MeanLatency; a feature's success rate and its interval
//     with the installation as the unit, SuccessInterval (FeatureSuccess).
//   - Writing numbers for people: FormatCount, FormatOptCount, FormatPct,
//     FormatInterval, FormatDecimal, FormatOptDecimal, FormatSigned,
//     Missing, and a figure's change against an earlier period,
//     CountChange and PctChange (Change, TrendGood, TrendBad, TrendFlat).
//
// Installations are always counted exactly, as the cardinality of a union
// of bitmaps, never as a sum of daily counts; counters are sums.
package dashboard
