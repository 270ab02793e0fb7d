package assign

import (
	"fmt"
	"math"
	"testing"
)

// The same id and name always give the same variant; the shares over many
// ids follow the split; two experiments split the fleet independently.
func TestVariant(t *testing.T) {
	variants := []string{"control", "treatment"}
	if a, b := Variant("0123", "x", variants, nil), Variant("0123", "x", variants, nil); a != b {
		t.Fatalf("the same id gave %s and %s", a, b)
	}
	const n = 40000
	counts := map[string]int{}
	both := 0
	for i := range n {
		id := fmt.Sprintf("%032x", i)
		v := Variant(id, "cert_threshold_v2", []string{"a", "b", "c"}, []float64{0.5, 0.3, 0.2})
		counts[v]++
		if Variant(id, "one", variants, []float64{0.5, 0.5}) == "treatment" &&
			Variant(id, "two", variants, []float64{0.5, 0.5}) == "treatment" {
			both++
		}
	}
	for v, share := range map[string]float64{"a": 0.5, "b": 0.3, "c": 0.2} {
		// 4 standard deviations of a binomial share of 40,000.
		if got := float64(counts[v]) / n; math.Abs(got-share) > 4*math.Sqrt(share*(1-share)/n) {
			t.Errorf("variant %s: share %.4f, want %.2f", v, got, share)
		}
	}
	if got := float64(both) / n; math.Abs(got-0.25) > 4*math.Sqrt(0.25*0.75/n) {
		t.Errorf("treatment in both of two experiments: %.4f of ids, want 0.25 (independent splits)", got)
	}
	if id := NewID(); len(id) != 32 || id == NewID() {
		t.Errorf("NewID: %q, want 32 hex digits, new each time", id)
	}
}
