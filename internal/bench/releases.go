package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
)

// ReleaseSpread is how far back ReleaseBody's timestamps reach.
const ReleaseSpread = 88 * 24 * time.Hour

// benchRelease is one release of ReleaseBody's fleet: the day of the
// spread it came out and the share of reports with an error it causes.
type benchRelease struct {
	version string
	day     int
	errs    float64
}

// releaseSchedule has a regression, 1.2.0, fixed by 1.2.1.
var releaseSchedule = []benchRelease{{"1.0.0", -1000, 0.10}, {"1.1.0", 25, 0.08}, {"1.2.0", 50, 0.30}, {"1.2.1", 70, 0.07}}

// ReleaseBody returns a report like Body's, from a fleet whose releases
// roll out over ReleaseSpread (each installation upgrades 0 to 10 days
// after a release) and whose reports carry errors at each release's rate:
// what release health and anomalies read.
func ReleaseBody(rng *rand.Rand, installations int, now time.Time) []byte {
	inst := rng.IntN(installations)
	back := time.Duration(rng.Int64N(int64(ReleaseSpread)))
	day := int((ReleaseSpread - back) / (24 * time.Hour))
	lag := inst * 7919 % 11
	rel := releaseSchedule[0]
	for _, r := range releaseSchedule {
		if r.day+lag <= day {
			rel = r
		}
	}
	errs := ""
	if rng.Float64() < rel.errs {
		errs = fmt.Sprintf(`,"errors":{"OperationalError":%d}`, 1+rng.IntN(3))
		if rng.Float64() < 0.3 {
			errs = fmt.Sprintf(`,"errors":{"OperationalError":%d,"UniqueViolation":1}`, 1+rng.IntN(3))
		}
	}
	return fmt.Appendf(nil, `{"report_id":%q,"installation_id":"bench-%06d","version":%q,"timestamp":%q,`+
		`"metrics":{"features_used":["auto_indexing"],"indexes_created":%d,"queries_analyzed":%d,`+
		`"performance_improvement_pct":%.1f,"algorithm_usage":{"cert":%d,"qpg":%d},"algorithm_decisions":{"cert":%d}%s},`+
		`"environment":{"postgresql_version":"1%d.0","os":"linux"}}`,
		uuid.NewString(), inst, rel.version, now.Add(-back).UTC().Format(time.RFC3339), rng.IntN(50), rng.IntN(100000),
		10+rng.Float64()*20, 5+rng.IntN(20), 5+rng.IntN(15), rng.IntN(5), errs, 4+inst%4)
}
