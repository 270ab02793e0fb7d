package report

import (
	"strconv"
	"strings"
)

// CompareVersions orders two IndexPilot version strings the way PEP 440
// orders the common cases and returns -1, 0 or +1: release segments
// numerically ("1.10" > "1.9", "1.1" == "1.1.0"), then
// 1.1.0.dev1 < 1.1.0a8 < 1.1.0a10 < 1.1.0b1 < 1.1.0rc1 < 1.1.0 < 1.1.0+local
// < 1.1.0.post1. Strings that are not versions (such as "unknown") sort
// first, among themselves by bytes.
func CompareVersions(a, b string) int {
	ra, sa := splitVersion(a)
	rb, sb := splitVersion(b)
	switch {
	case len(ra) == 0 && len(rb) == 0:
		return strings.Compare(a, b)
	case len(ra) == 0:
		return -1
	case len(rb) == 0:
		return 1
	}
	for i := 0; i < len(ra) || i < len(rb); i++ {
		if x, y := at(ra, i), at(rb, i); x != y {
			return cmp(x, y)
		}
	}
	pa, pb := parseSuffix(sa), parseSuffix(sb)
	switch {
	case pa.rank != pb.rank:
		return cmp(pa.rank, pb.rank)
	case pa.n != pb.n:
		return cmp(pa.n, pb.n)
	}
	return strings.Compare(pa.rest, pb.rest)
}

// splitVersion returns the numeric release segments and whatever follows
// them ("a8", "rc1", ".dev3").
func splitVersion(v string) ([]int, string) {
	v = strings.TrimPrefix(strings.ToLower(v), "v")
	var rel []int
	for {
		n := 0
		for n < len(v) && v[n] >= '0' && v[n] <= '9' {
			n++
		}
		if n == 0 {
			return rel, v
		}
		x, _ := strconv.Atoi(v[:min(n, 9)])
		rel = append(rel, x)
		v = v[n:]
		if len(v) < 2 || v[0] != '.' || v[1] < '0' || v[1] > '9' {
			return rel, v
		}
		v = v[1:]
	}
}

// suffix is the part of a version after its release segments.
type suffix struct {
	rank int // -1 unknown, 0 dev, 1 alpha, 2 beta, 3 rc, 4 final, 5 post
	n    int
	rest string
}

// phases lists PEP 440's spellings, longest first where one is a prefix
// of another.
var phases = []struct {
	word string
	rank int
}{
	{"preview", 3}, {"alpha", 1}, {"beta", 2}, {"post", 5}, {"dev", 0},
	{"rev", 5}, {"pre", 3}, {"rc", 3}, {"a", 1}, {"b", 2}, {"c", 3}, {"r", 5},
}

func parseSuffix(s string) suffix {
	if s == "" || s[0] == '+' { // a final release, or one with a local label
		return suffix{rank: 4, rest: s}
	}
	t := strings.TrimLeft(s, ".-_")
	for _, p := range phases {
		if rest, ok := strings.CutPrefix(t, p.word); ok {
			rest = strings.TrimLeft(rest, ".-_")
			n := 0
			for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
				n++
			}
			x, _ := strconv.Atoi(rest[:min(n, 9)])
			return suffix{rank: p.rank, n: x, rest: rest[n:]}
		}
	}
	return suffix{rank: -1, rest: s}
}

func at(s []int, i int) int {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func cmp(x, y int) int {
	if x < y {
		return -1
	}
	return 1
}
