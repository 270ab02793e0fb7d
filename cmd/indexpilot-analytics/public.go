package main

import (
	"fmt"
	"strconv"

	"github.com/indexpilot/indexpilot-telemetry/internal/public"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
)

// publicConfig validates the public page's options into cfg.
func (v values) publicConfig(cfg *server.Config) error {
	on, err := strconv.ParseBool(*v["public-page"])
	if err != nil {
		return fmt.Errorf("--public-page: %q is not true or false", *v["public-page"])
	}
	k, err := v.int("public-k")
	if err != nil || k < public.MinK {
		return fmt.Errorf("--public-k: %q is not a whole number >= %d: smaller groups would be published", *v["public-k"], public.MinK)
	}
	cfg.PublicPage, cfg.PublicK = on, k
	return nil
}
