package report

import "testing"

func TestCompareVersions(t *testing.T) {
	// Each row is in ascending order; equal marks a row whose entries are equal.
	tests := []struct {
		order []string
		equal bool
	}{
		{order: []string{"unknown", "0.1", "1.9", "1.10", "2.0"}},
		{order: []string{"1.1.0.dev1", "1.1.0a8", "1.1.0a10", "1.1.0b1", "1.1.0rc1", "1.1.0", "1.1.0+local", "1.1.0.post1", "1.1.1"}},
		{order: []string{"", "dev", "unknown", "0"}},
		{order: []string{"0a1", "0"}},
		{order: []string{"1.1", "1.1.0", "v1.1.0", "1.1.0.0"}, equal: true},
		{order: []string{"1.1.0rc1", "1.1.0-rc1", "1.1.0RC1", "1.1.0c1", "1.1.0.rc.1"}, equal: true},
		{order: []string{"1.1.0a1", "1.1.0alpha1", "1.1.0-alpha.1"}, equal: true},
	}
	for _, tt := range tests {
		for i, a := range tt.order {
			for j, b := range tt.order {
				want := 0
				if !tt.equal {
					want = cmpInt(i, j)
				}
				if got := CompareVersions(a, b); got != want {
					t.Errorf("CompareVersions(%q, %q) = %d, want %d", a, b, got, want)
				}
			}
		}
	}
}

func cmpInt(i, j int) int {
	switch {
	case i < j:
		return -1
	case i > j:
		return 1
	}
	return 0
}
