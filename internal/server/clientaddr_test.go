package server

import (
	"net/http"
	"testing"
)

func TestClientAddr(t *testing.T) {
	proxies, err := ParseProxies("10.0.0.0/8, 192.0.2.1,2001:db8:ffff::/48")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{TrustedProxies: proxies}}
	for _, tc := range []struct {
		peer string
		xff  []string
		want string
	}{
		{"198.51.100.9:5000", nil, "198.51.100.9"},
		{"198.51.100.9:5000", []string{"203.0.113.1"}, "198.51.100.9"}, // an untrusted peer's header is ignored
		{"192.0.2.1:443", nil, "192.0.2.1"},                            // a proxy that sent no header
		{"192.0.2.1:443", []string{"203.0.113.1"}, "203.0.113.1"},
		{"192.0.2.1:443", []string{"203.0.113.1, 10.1.2.3"}, "203.0.113.1"},                 // through two proxies
		{"192.0.2.1:443", []string{"198.51.100.7, 203.0.113.1"}, "203.0.113.1"},             // the client's own claim is left of it
		{"192.0.2.1:443", []string{"198.51.100.7", "203.0.113.1, 10.0.0.2"}, "203.0.113.1"}, // several headers are one list
		{"192.0.2.1:443", []string{"10.0.0.3, 10.0.0.2"}, "10.0.0.3"},                       // all trusted: the left-most
		{"192.0.2.1:443", []string{"203.0.113.1:61000"}, "203.0.113.1"},                     // with a port
		{"192.0.2.1:443", []string{"2001:db8:1:2:3:4:5:6"}, "2001:db8:1:2::/64"},            // IPv6 by its /64
		{"[2001:db8:ffff::1]:443", []string{"[2001:db8:1:2::9]:4000"}, "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.1]:443", []string{"203.0.113.1"}, "203.0.113.1"}, // a mapped IPv4 proxy
		{"192.0.2.1:443", []string{"unknown"}, "unknown"},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.clientAddr(r); got != tc.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %q, want %q", tc.peer, tc.xff, got, tc.want)
		}
	}
	if _, err := ParseProxies("10.0.0.0/8,not-an-address"); err == nil {
		t.Error("a bad entry was accepted")
	}
}
