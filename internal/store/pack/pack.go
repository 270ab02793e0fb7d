// Package pack is the compact form in which PostgreSQL stores a report's
// metrics and environment documents (migration 016): their JSON, deflated
// with a preset dictionary of typical reports, so that the field names and
// common values a report repeats cost a back-reference of a few bits
// instead of their bytes. A stored report is otherwise smaller than the
// 2 kB above which PostgreSQL would compress it, and its JSONB took 807 B
// of metrics and 154 B of environment on average.
//
// A packed value starts with its format byte: FormatJSON (the JSON as it
// is, which is what migration 016 made of the rows it converted) or
// FormatDeflate1 (raw DEFLATE with dict1.txt as its dictionary, less the 4 bytes
// that end every compress/flate stream). The
// dictionary of a format never changes once rows are stored with it; a
// better one is a new format byte.
package pack

import (
	"bytes"
	"compress/flate"
	_ "embed"
	"fmt"
	"io"
	"sync"
)

// The format bytes of a packed value.
const (
	FormatJSON     byte = 0
	FormatDeflate1 byte = 1
)

// dict1 is FormatDeflate1's dictionary: the field names of schema.json,
// then ten reports (environment and metrics JSON) of a simulated fleet
// (internal/fleet, seed 2), the most common ones last, where references
// to them are cheapest. Frozen: stored rows depend on every byte.
//
//go:embed dict1.txt
var dict1 []byte

var writers = sync.Pool{New: func() any {
	w, err := flate.NewWriterDict(nil, flate.BestCompression, dict1)
	if err != nil {
		panic(fmt.Sprintf("pack: dictionary writer: %v", err))
	}
	return w
}}

var readers = sync.Pool{New: func() any { return flate.NewReaderDict(bytes.NewReader(nil), dict1) }}

// Encode appends the packed form of the JSON document doc to dst.
func Encode(dst, doc []byte) []byte {
	buf := bytes.NewBuffer(append(dst, FormatDeflate1))
	w := writers.Get().(*flate.Writer)
	w.Reset(buf)
	// Writes to a bytes.Buffer do not fail.
	_, _ = w.Write(doc)
	_ = w.Close()
	writers.Put(w)
	v, ok := bytes.CutSuffix(buf.Bytes(), finalBlock)
	if !ok {
		// Not what compress/flate writes: keep the JSON as it is.
		return append(append(dst, FormatJSON), doc...)
	}
	return v
}

// finalBlock is how compress/flate ends a stream: an empty stored block's
// length and its complement, after the block header's bits. FormatDeflate1
// leaves them out (4 of its 50 to 100 bytes), and Decode puts them back.
var finalBlock = []byte{0, 0, 0xff, 0xff}

// Decode appends the JSON document of the packed value v to dst.
func Decode(dst, v []byte) ([]byte, error) {
	if len(v) == 0 {
		return nil, fmt.Errorf("pack: empty value")
	}
	switch v[0] {
	case FormatJSON:
		return append(dst, v[1:]...), nil
	case FormatDeflate1:
		r := readers.Get().(io.ReadCloser)
		defer readers.Put(r)
		// A bytes.Reader is an io.ByteReader, which flate reads without
		// a buffer of its own.
		in := bytes.NewReader(append(v[1:len(v):len(v)], finalBlock...))
		if err := r.(flate.Resetter).Reset(in, dict1); err != nil {
			return nil, fmt.Errorf("pack: reset reader: %w", err)
		}
		buf := bytes.NewBuffer(dst)
		if _, err := buf.ReadFrom(r); err != nil {
			return nil, fmt.Errorf("pack: inflate: %w", err)
		}
		return buf.Bytes(), nil
	default:
		return nil, fmt.Errorf("pack: unknown format %d", v[0])
	}
}
