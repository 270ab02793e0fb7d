package insights

import "testing"

func TestPrerelease(t *testing.T) {
	for v, want := range map[string]bool{"1.1.0a8": true, "1.2.0rc1": true, "2.0.0-beta.1": true, "1.3.0.dev2": true,
		"1.2.0": false, "1.2.0+build5": false, "10": false} {
		if got := prerelease(v); got != want {
			t.Errorf("prerelease(%q) = %v, want %v", v, got, want)
		}
	}
}
