package telemetry

import (
	"context"

	"github.com/indexpilot/indexpilot-telemetry/internal/client"
)

// Assignment is this installation's variant of one fleet experiment: its
// name, the variant the installation runs, and every variant (the first
// is the control).
type Assignment = client.Assignment

// Experiments returns this installation's variant of each running fleet
// experiment. With telemetry on it refreshes the list of experiments when
// it is over a day old (one request, the usual deadline); in any other
// mode, or offline, it uses the list fetched last and opens no
// connection. The assignments are valid even with an error, which only
// says why the list could not be refreshed.
func (c *Client) Experiments(ctx context.Context) ([]Assignment, error) { return c.c.Experiments(ctx) }

// ExperimentVariant returns the variant of the experiment called name
// that this installation runs, and false when it is in no such experiment
// (run the default, the control). It reads the local list only: it never
// waits for the network, whatever the mode, and is the same with
// telemetry on or off.
func (c *Client) ExperimentVariant(name string) (variant string, ok bool) {
	return c.c.ExperimentVariant(name)
}
