package main

import (
	"flag"
	"fmt"
	"strconv"
)

// boolText is a flag.Value that keeps a boolean option as its text (as
// values holds every option) and lets the flag stand alone for true.
type boolText struct{ p *string }

func (b boolText) String() string {
	if b.p == nil {
		return ""
	}
	return *b.p
}

func (b boolText) Set(s string) error {
	if _, err := strconv.ParseBool(s); err != nil {
		return fmt.Errorf("%q is not true or false", s)
	}
	*b.p = s
	return nil
}

func (b boolText) IsBoolFlag() bool { return true }

// boolFlag defines a boolean option on fs and returns where its text is.
func boolFlag(fs *flag.FlagSet, name, def, usage string) *string {
	p := &def
	fs.Var(boolText{p}, name, usage)
	return p
}
