package fleet_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/report"
	"github.com/indexpilot/indexpilot-telemetry/scrub"
)

// TestPlantedErrors: the salted error reports are valid, deterministic,
// hold every secret they list, and the scrubber recognises each of them.
func TestPlantedErrors(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	c := fleet.Config{Installations: 30, Days: 10, Seed: 7, Now: now, SecretErrors: 200}
	pes := fleet.PlantedErrors(c)
	if len(pes) != 200 || !reflect.DeepEqual(pes, fleet.PlantedErrors(c)) {
		t.Fatalf("PlantedErrors: %d reports, or not the same twice", len(pes))
	}
	types := map[string]bool{}
	for _, pe := range pes {
		body, err := json.Marshal(pe.Report)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := report.DecodeError(body, now, 0); err != nil {
			t.Fatalf("planted report %s does not pass the contract: %v", pe.Report.ReportID, err)
		}
		text := pe.Report.Message
		for _, f := range pe.Report.Frames {
			text += "\n" + f.File
		}
		for _, s := range pe.Secrets {
			if len(s) < 10 || !strings.Contains(text, s) {
				t.Errorf("%s: secret %q is short or not in the report", pe.Report.ReportID, s)
			}
			if scrubbed := scrub.String(pe.Report.Message) + scrub.String(scrub.Path(pe.Report.Frames[0].File)); strings.Contains(scrubbed, s) {
				t.Errorf("%s: the scrubber keeps %q", pe.Report.ReportID, s)
			}
		}
		types[pe.Report.ErrorType] = true
	}
	if len(types) < 6 {
		t.Errorf("only %d kinds of error among 200 reports", len(types))
	}
	if n := len(fleet.PlantedSecrets(c)); n < 400 {
		t.Errorf("PlantedSecrets lists %d distinct secrets, want hundreds", n)
	}
}
