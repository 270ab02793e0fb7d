package collect

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect/collecttest"
)

// The fixture lives in collecttest so that the client's end-to-end tests
// can build the same IndexPilot database; these names keep the tests here
// short.

type fixtureSize = collecttest.Size

var testSize = collecttest.TestSize

const (
	plantedIP     = collecttest.PlantedIP
	plantedUserID = collecttest.PlantedUserID
)

func newIndexPilotDB(t testing.TB, size fixtureSize) string {
	return collecttest.NewIndexPilotDB(t, size)
}

func appendRows(t testing.TB, conn *pgx.Conn, n int) { collecttest.AppendRows(t, conn, n) }

func connect(t testing.TB, url string) *pgx.Conn { return collecttest.Connect(t, url) }

func mustExec(t testing.TB, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	collecttest.MustExec(t, conn, sql, args...)
}
