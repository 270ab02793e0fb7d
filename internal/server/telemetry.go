package server

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"hash/fnv"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

func (s *Server) telemetry(w http.ResponseWriter, r *http.Request) error {
	who, body, err := s.receive(w, r)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	d, err := report.Decode(body, now, s.cfg.RawRetention)
	var fe *report.FieldError
	if errors.As(err, &fe) {
		return invalid(fe)
	}
	if err != nil {
		return err
	}
	if err := s.admit(who, d.InstallationID); err != nil {
		return err
	}
	if err := s.keepRegistered(r.Context(), d); err != nil { // experiments_ingest.go
		return unavailable(err)
	}
	it := store.Item{Key: d.Key(), Report: &d.Report, Time: d.Time, Received: now}
	it.Prepare()
	inserted, err := s.batcher.Submit(r.Context(), it)
	if err != nil {
		return unavailable(err)
	}
	result := "stored"
	if !inserted {
		result = "duplicate"
	}
	s.metrics.reports.WithLabelValues(result).Inc()
	writeAck(w, s.nextCollection(d.InstallationID, now), d.Ignored, !inserted)
	return nil
}

// writeAck answers an accepted report: the baseline design's answer plus the fields
// the server left out and whether it had the report already. It is the
// response of every ingest request, so it is put together by hand rather
// than by encoding/json (which took 5 % of the server's CPU at load).
func writeAck(w http.ResponseWriter, next string, ignored []string, duplicate bool) {
	b := make([]byte, 0, 160)
	b = append(b, `{"status":"success","message":"Telemetry received","next_collection":`...)
	b = strconv.AppendQuote(b, next) // RFC 3339: nothing to escape
	b = append(b, `,"ignored_fields":`...)
	if len(ignored) == 0 {
		b = append(b, "[]"...)
	} else {
		list, _ := json.Marshal(ignored) // names from the sender: escape them properly
		b = append(b, list...)
	}
	b = append(b, `,"duplicate":`...)
	b = strconv.AppendBool(b, duplicate)
	b = append(b, "}\n"...)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(b) // the client may have gone; nothing to do about it
}

// receive checks what every report endpoint checks, in this order, and
// reads the body: the media type, the X-API-Key (an installation or fleet
// key), the key's rate (one bucket per installation key, whatever the
// endpoint) and the size, after gzip decompression.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) (sender, []byte, error) {
	if err := requireJSON(r); err != nil {
		return sender{}, nil, err
	}
	who, err := s.reportSender(r)
	if err != nil {
		return sender{}, nil, err
	}
	if who.installationID != "" {
		if ok, wait := s.keyLimits.allow(who.keyID, s.now()); !ok {
			return sender{}, nil, tooMany(wait, "this installation sends too often; retry after the given seconds")
		}
	}
	body, err := readBody(w, r, report.MaxBodyBytes)
	return who, body, err
}

// nextCollection spreads installations over an hour after the interval,
// stably per installation, so a fleet does not report all at once.
func (s *Server) nextCollection(installationID string, now time.Time) string {
	h := fnv.New32a()
	h.Write([]byte(installationID))
	jitter := time.Duration(h.Sum32()%3600) * time.Second
	return now.Add(s.cfg.CollectionInterval + jitter).UTC().Truncate(time.Second).Format(time.RFC3339)
}

func requireJSON(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json")
	}
	return nil
}

// readBody reads at most limit bytes of the request body, after gzip
// decompression when the body is gzip-encoded; more is a 413 that names
// the limit.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	tooLarge := errorf(http.StatusRequestEntityTooLarge, "too_large", "the body must be at most "+sizeText(limit)+" (after decompression)")
	var src io.Reader = http.MaxBytesReader(w, r.Body, limit)
	switch enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzipReader(src)
		if zr != nil {
			defer gzipReaders.Put(zr)
		}
		if err != nil {
			return nil, readError(err, tooLarge)
		}
		src = zr
	default:
		return nil, errorf(http.StatusUnsupportedMediaType, "unsupported_encoding", "Content-Encoding must be gzip or none")
	}
	body, err := io.ReadAll(io.LimitReader(src, limit+1))
	if err != nil {
		return nil, readError(err, tooLarge)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge
	}
	return body, nil
}

// sizeText writes a size limit for people: "64 KiB", "1 KiB", "100 bytes".
func sizeText(n int64) string {
	if n >= 1024 && n%1024 == 0 {
		return strconv.FormatInt(n/1024, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// gzipReaders keeps gzip readers between requests: a new one allocates
// about 40 KB of decompressor state, a reset one nothing
// (BenchmarkReadGzipBody, the test request included: 18 -> 10.5 µs and
// 52 -> 11 KB per body).
var gzipReaders sync.Pool

// gzipReader returns a pooled reader reset to src. The reader is not nil
// even when the header is bad, so that it can go back to the pool.
func gzipReader(src io.Reader) (*gzip.Reader, error) {
	if zr, ok := gzipReaders.Get().(*gzip.Reader); ok {
		return zr, zr.Reset(src)
	}
	zr, err := gzip.NewReader(src)
	if err != nil {
		return nil, err
	}
	return zr, nil
}

// readError maps a failed body read. A network error's text names both
// ends of the connection (the client's address among them), so it is
// never shown or logged: only what happened.
func readError(err error, tooLarge *apiError) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return errorf(http.StatusRequestTimeout, "body_timeout", "the body did not arrive in time")
	case errors.As(err, &ne):
		return errorf(http.StatusBadRequest, "bad_body", "the connection failed while the body was read")
	}
	return errorf(http.StatusBadRequest, "bad_body", "the body could not be read: "+err.Error())
}

func (s *Server) schema(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	w.Write(report.Schema())
}

// maxSmallBody bounds the optional body of a registration.
const maxSmallBody = 1024

// decodeSmall decodes an optional small JSON body (registration), of at
// most maxSmallBody bytes.
func decodeSmall(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r, maxSmallBody)
	if err != nil || len(strings.TrimSpace(string(body))) == 0 {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errorf(http.StatusBadRequest, "invalid_body", "the body must be a JSON object")
	}
	return nil
}
