// Package pack is the compact form in which PostgreSQL stores a report's
// metrics and environment documents (migration 016): their JSON, with
// every run of 4 or more bytes that a preset dictionary of typical
// reports (or the document itself, earlier) holds replaced by a
// reference of 2 to 4 bytes. The field names and common values a report
// repeats are most of its JSON: stored as JSONB they took 807 B of
// metrics and 154 B of environment on average, in rows smaller than the
// 2 kB above which PostgreSQL would compress anything.
//
// It is LZ77 against a fixed dictionary, without entropy coding, because
// compress/flate resets 640 kB of tables for each value it compresses with
// a dictionary: more CPU per report than the rest of ingest. Here the
// dictionary's hash chains are built once.
//
// A packed value starts with its format byte: FormatJSON (the JSON as it
// is, which is what migration 016 made of the rows it converted) or
// FormatDict1 (the operations below, against dict1.txt). The dictionary
// of a format never changes once rows are stored with it; a better one is
// a new format byte.
//
// FormatDict1's operations: a byte t < 0x80 is followed by t+1 literal
// bytes; a byte t >= 0x80 copies (t & 0x7f) + minMatch bytes from a
// distance, a uvarint after it, back in dict1 followed by the document
// decoded so far.
package pack

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"slices"
)

// The format bytes of a packed value.
const (
	FormatJSON  byte = 0
	FormatDict1 byte = 1
)

// dict1 is FormatDict1's dictionary: the field names of schema.json,
// then ten reports (environment and metrics JSON) of a simulated fleet
// (internal/fleet, seed 2). Frozen: stored rows depend on every byte.
//
//go:embed dict1.txt
var dict1 []byte

const (
	minMatch   = 4
	maxMatch   = 0x7f + minMatch
	maxLiteral = 0x80
	hashBits   = 12
	docBits    = 10
	maxChain   = 16
)

// chains index dict1 by the hash of each position's 4 bytes: head holds
// the last position of a hash plus one, prev the one before each position
// plus one.
var head, prev = buildChains(dict1)

func buildChains(d []byte) ([]int32, []int32) {
	head, prev := make([]int32, 1<<hashBits), make([]int32, len(d))
	for i := 0; i+minMatch <= len(d); i++ {
		h := hash(d[i:], hashBits)
		prev[i], head[h] = head[h], int32(i+1)
	}
	return head, prev
}

func hash(b []byte, bits uint) uint32 {
	return (binary.LittleEndian.Uint32(b) * 2654435761) >> (32 - bits)
}

// Encode appends the packed form of the JSON document doc to dst.
func Encode(dst, doc []byte) []byte {
	dst = append(dst, FormatDict1)
	var docHead [1 << docBits]int32 // last position of a hash in doc, plus one
	lit := 0                        // start of the pending literals
	flush := func(end int) {
		for lit < end {
			n := min(end-lit, maxLiteral)
			dst = append(dst, byte(n-1))
			dst = append(dst, doc[lit:lit+n]...)
			lit += n
		}
	}
	for i := 0; i+minMatch <= len(doc); {
		best, bestLen := 0, 0 // distance back from i in dict1+doc, length
		limit := min(len(doc)-i, maxMatch)
		for p, n := head[hash(doc[i:], hashBits)], 0; p != 0 && n < maxChain; p, n = prev[p-1], n+1 {
			if l := matchLen(dict1[p-1:], doc[i:i+limit]); l > bestLen {
				best, bestLen = len(dict1)-int(p-1)+i, l
			}
		}
		h := hash(doc[i:], docBits)
		if p := docHead[h]; p != 0 {
			if l := matchLen(doc[p-1:i], doc[i:i+limit]); l > bestLen {
				best, bestLen = i-int(p-1), l
			}
		}
		docHead[h] = int32(i + 1)
		if bestLen < minMatch {
			i++
			continue
		}
		flush(i)
		dst = append(dst, 0x80|byte(bestLen-minMatch))
		dst = binary.AppendUvarint(dst, uint64(best))
		i += bestLen
		lit = i
	}
	flush(len(doc))
	return dst
}

// matchLen is the length of the common prefix of a and b.
func matchLen(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// Decode appends the JSON document of the packed value v to dst.
func Decode(dst, v []byte) ([]byte, error) {
	if len(v) == 0 {
		return nil, fmt.Errorf("pack: empty value")
	}
	switch v[0] {
	case FormatJSON:
		return append(dst, v[1:]...), nil
	case FormatDict1:
	default:
		return nil, fmt.Errorf("pack: unknown format %d", v[0])
	}
	dst = slices.Grow(dst, 4*len(v))
	start := len(dst)
	for i := 1; i < len(v); {
		t := v[i]
		i++
		if t < 0x80 {
			n := int(t) + 1
			if i+n > len(v) {
				return nil, fmt.Errorf("pack: literals past the end of the value")
			}
			dst = append(dst, v[i:i+n]...)
			i += n
			continue
		}
		dist, w := binary.Uvarint(v[i:])
		if w <= 0 {
			return nil, fmt.Errorf("pack: bad distance at byte %d", i)
		}
		i += w
		done := len(dst) - start
		if dist == 0 || dist > uint64(len(dict1)+done) {
			return nil, fmt.Errorf("pack: distance %d out of range at byte %d", dist, i)
		}
		for n, p := int(t&0x7f)+minMatch, len(dict1)+done-int(dist); n > 0; n, p = n-1, p+1 {
			if p < len(dict1) {
				dst = append(dst, dict1[p])
			} else {
				dst = append(dst, dst[start+p-len(dict1)])
			}
		}
	}
	return dst, nil
}
