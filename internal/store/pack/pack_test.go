package pack

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
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
		d := decoded(t, p.Report, now)
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
	for _, v := range [][]byte{nil, {7, 1, 2}, {FormatDict1, 0x80, 0xff}, {FormatDict1, 0x05, 1}, {FormatDict1, 0x80, 0}} {
		if got, err := Decode(nil, v); err == nil {
			t.Errorf("Decode(%v) = %q, want an error", v, got)
		}
	}
	if got, err := Decode(nil, Encode(nil, nil)); err != nil || len(got) != 0 {
		t.Errorf("empty document: %q, %v", got, err)
	}
}

// BenchmarkEncode packs a typical report's metrics and environment, as
// ingest does for each report; BenchmarkDecode unpacks them, as every
// reader does.
func BenchmarkEncode(b *testing.B) {
	m, e := sample(b)
	b.ReportAllocs()
	for b.Loop() {
		Encode(nil, m)
		Encode(nil, e)
	}
}

func BenchmarkDecode(b *testing.B) {
	m, e := sample(b)
	pm, pe := Encode(nil, m), Encode(nil, e)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(nil, pm); err != nil {
			b.Fatal(err)
		}
		if _, err := Decode(nil, pe); err != nil {
			b.Fatal(err)
		}
	}
}

func sample(b *testing.B) (metrics, env []byte) {
	now := time.Now()
	c := fleet.Config{Installations: 20, Days: fleet.MaxDays, Seed: 1, Structure: true, Now: now}
	for p := range fleet.Reports(c) {
		d := decoded(b, p.Report, now)
		return d.Report.Metrics.AppendJSON(nil), d.Report.Environment.AppendJSON(nil)
	}
	b.Fatal("no report")
	return nil, nil
}

// TestArbitraryBytes round-trips documents the dictionary does not know:
// long runs, repeats, bytes above 0x7f.
func TestArbitraryBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		doc := make([]byte, rng.IntN(600))
		for j := range doc {
			switch {
			case j > 8 && rng.IntN(4) == 0:
				doc[j] = doc[j-1-rng.IntN(8)]
			case rng.IntN(3) == 0:
				doc[j] = dict1[rng.IntN(len(dict1))]
			default:
				doc[j] = byte(rng.IntN(256))
			}
		}
		got, err := Decode(nil, Encode(nil, doc))
		if err != nil || !bytes.Equal(got, doc) {
			t.Fatalf("round trip of %x gave %x, %v", doc, got, err)
		}
	}
}

// decoded is a report as the service decodes it when received at now.
func decoded(tb testing.TB, r report.Report, now time.Time) *report.Decoded {
	tb.Helper()
	body, err := json.Marshal(r)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := report.Decode(body, now, report.DefaultRetention)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
