package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// webhook posts messages as JSON: {"text": …} plus the message's fields.
type webhook struct {
	url    string
	client *http.Client
}

func (w *webhook) Name() string   { return "webhook" }
func (w *webhook) Target() string { return MaskWebhook(w.url) }

func (w *webhook) Send(ctx context.Context, m Message) error {
	body := map[string]any{}
	for k, v := range m.Fields {
		body[k] = v
	}
	body["text"] = m.Text
	b, err := json.Marshal(body)
	if err != nil {
		return &permanentError{fmt.Errorf("notify: encode webhook body: %w", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(b))
	if err != nil {
		return &permanentError{errors.New("notify: webhook request: invalid URL")}
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error // it quotes the URL, whose path is a secret
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("notify: webhook %s: %w", w.Target(), err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // lets the connection be reused
	switch {
	case res.StatusCode/100 == 2:
		return nil
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusRequestTimeout || res.StatusCode >= 500:
		return fmt.Errorf("notify: webhook %s answered %s", w.Target(), res.Status)
	}
	return &permanentError{fmt.Errorf("notify: webhook %s refused the message: %s", w.Target(), res.Status)}
}
