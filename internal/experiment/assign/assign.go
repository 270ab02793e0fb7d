// Package assign is how an IndexPilot installation puts itself in a
// variant of a fleet experiment (docs/experiments.md): deterministically,
// from a random experiment id kept on the machine and the experiment's
// name, so that the same installation always runs the same variant,
// whether or not it shares telemetry, and different experiments split the
// fleet independently. The client and the fleet simulator both use it; it
// imports only the standard library and sends nothing anywhere.
package assign

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// NewID returns a new random experiment id: 128 bits as 32 hex digits.
// It never leaves the machine; only the variants it picks are reported.
func NewID() string {
	var b [16]byte
	rand.Read(b[:]) // crypto/rand.Read never fails (it panics rather)
	return hex.EncodeToString(b[:])
}

// Variant returns the variant of the experiment called name that the
// installation with experiment id id runs. split holds each variant's
// share (summing to 1; an even split when it does not match the
// variants). The hash of id and name, read as a number in [0, 1), falls
// in one variant's share of the line.
func Variant(id, name string, variants []string, split []float64) string {
	if len(variants) == 0 {
		return ""
	}
	sum := sha256.Sum256([]byte(id + "\x00" + name))
	u := float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
	if len(split) != len(variants) {
		return variants[int(u*float64(len(variants)))]
	}
	total := 0.0
	for _, s := range split {
		total += s
	}
	at := 0.0
	for i, s := range split {
		at += s / total
		if u < at {
			return variants[i]
		}
	}
	return variants[len(variants)-1] // rounding left u past the last share
}
