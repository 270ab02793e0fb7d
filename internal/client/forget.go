package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect"
)

// ErrNotRegistered is returned by Export when the installation has never
// uploaded: the server holds nothing about it.
var ErrNotRegistered = errors.New("this installation has not uploaded anything yet, so the server holds nothing about it")

// Forgotten is what Forget did.
type Forgotten struct {
	// WasRegistered is false when the installation never uploaded: there
	// was nothing to delete on the server.
	WasRegistered bool
	// ReportsDeleted is the number of reports the server deleted.
	ReportsDeleted int64
	// AlreadyGone: the server did not know the key any more.
	AlreadyGone bool
}

// Forget asks the server to delete the installation and every report of
// it, then drops the local identity, the spool, the local copies and the
// salt. The mode stays as it is: with telemetry still on, the next upload
// registers afresh. When the server cannot be reached nothing local is
// dropped, so Forget can be run again.
func (c *Client) Forget(ctx context.Context) (*Forgotten, error) {
	v := c.view()
	if err := v.err(); err != nil { // the endpoint and the key must be trusted
		return nil, err
	}
	out := &Forgotten{}
	if !v.f.exists() {
		return out, nil
	}
	unlock, err := v.f.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := v.f.load()
	if err != nil {
		return nil, err
	}
	if st.APIKey != "" {
		out.WasRegistered = true
		ans, err := c.api(v.s).do(ctx, http.MethodDelete, routeMe, st.APIKey, nil, maxAckBytes)
		switch {
		case err != nil:
			return nil, err
		case ans.status == http.StatusOK:
			var a struct {
				N int64 `json:"reports_deleted"`
			}
			json.Unmarshal(ans.body, &a) // the deletion happened whatever the body says
			out.ReportsDeleted = a.N
		case ans.status == http.StatusUnauthorized:
			out.AlreadyGone = true
		default:
			return nil, ans.err()
		}
	}
	if err := v.f.removeReports(); err != nil {
		return nil, err
	}
	st.dropIdentity()
	st.Cursor, st.LastAttempt, st.Dropped = collect.Cursor{}, nil, 0
	st.NextReport, st.NotBefore = time.Time{}, time.Time{}
	return out, v.f.save(st)
}

// Export downloads everything the server holds about the installation,
// as the JSON the server sends.
func (c *Client) Export(ctx context.Context) ([]byte, error) {
	v := c.view()
	if err := v.err(); err != nil {
		return nil, err
	}
	if v.st.APIKey == "" {
		return nil, ErrNotRegistered
	}
	ans, err := c.api(v.s).do(ctx, http.MethodGet, routeExport, v.st.APIKey, nil, maxExportBytes)
	if err != nil {
		return nil, err
	}
	if ans.status != http.StatusOK {
		return nil, ans.err()
	}
	return ans.body, nil
}
