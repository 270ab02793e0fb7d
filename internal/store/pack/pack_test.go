package pack

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// TestRoundTrip packs the metrics and environment of a simulated fleet's
// reports (seed 1, not the dictionary's) and unpacks them to the same
// bytes, and checks that packing makes them smaller.
func TestRoundTrip(t *testing.T) {
	now := time.Now()
	c := fleet.Config{Installations: 200, Days: fleet.MaxDays, Seed: 1, Structure: true, Now: now}
	n, plain, packed := 0, 0, 0
	for p := range fleet.Reports(c) {
		if n == 2000 {
			break
		}
		body, err := json.Marshal(p.Report)
		if err != nil {
			t.Fatal(err)
		}
		d, err := report.Decode(body, now, report.DefaultRetention)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range [][]byte{d.Report.Metrics.AppendJSON(nil), d.Report.Environment.AppendJSON(nil)} {
			v := Encode(nil, doc)
			got, err := Decode([]byte("x"), v)
			if err != nil {
				t.Fatalf("decode %s: %v", doc, err)
			}
			if !bytes.Equal(got[1:], doc) || got[0] != 'x' {
				t.Fatalf("round trip of %s gave %s", doc, got)
			}
			plain, packed = plain+len(doc), packed+len(v)
		}
		n++
	}
	if packed*3 > plain {
		t.Errorf("%d reports: %d bytes of JSON packed into %d, less than 3 times smaller", n, plain, packed)
	}
	t.Logf("%d reports: %d bytes of JSON packed into %d", n, plain, packed)
}

// TestFormats reads the JSON format migration 016 writes, and refuses what
// no format describes.
func TestFormats(t *testing.T) {
	got, err := Decode(nil, append([]byte{FormatJSON}, `{"a": 1}`...))
	if err != nil || string(got) != `{"a": 1}` {
		t.Errorf("FormatJSON: %q, %v", got, err)
	}
	for _, v := range [][]byte{nil, {7, 1, 2}, {FormatDeflate1, 0xff, 0xff}} {
		if got, err := Decode(nil, v); err == nil {
			t.Errorf("Decode(%v) = %q, want an error", v, got)
		}
	}
	if got, err := Decode(nil, Encode(nil, nil)); err != nil || len(got) != 0 {
		t.Errorf("empty document: %q, %v", got, err)
	}
}
