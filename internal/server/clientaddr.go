package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseProxies reads the --trusted-proxies list: addresses or CIDR
// prefixes separated by commas ("10.0.0.0/8,127.0.0.1").
func ParseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// clientAddr is the address rate limits count a request against: the
// peer, or, when the peer is a trusted proxy, the right-most address of
// X-Forwarded-For that is not a trusted proxy (addresses further left are
// whatever the client chose to send). IPv6 clients count by their /64,
// the block one subscriber usually holds. The address is used in memory
// only, never logged or stored.
func (s *Server) clientAddr(r *http.Request) string {
	peer := parseHop(r.RemoteAddr)
	if !s.trusted(peer) {
		return limitKey(peer, r.RemoteAddr)
	}
	hops := forwardedHops(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		if a := parseHop(hops[i]); !s.trusted(a) || i == 0 {
			return limitKey(a, hops[i])
		}
	}
	return limitKey(peer, r.RemoteAddr)
}

// trusted says whether a is one of the trusted proxies.
func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if a.IsValid() && p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedHops splits X-Forwarded-For headers into their addresses, in
// order (several headers count as one list, as RFC 7230 joins them).
func forwardedHops(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	return hops
}

// parseHop reads an address with or without a port ("192.0.2.1",
// "192.0.2.1:443", "[2001:db8::1]:443"); the zero Addr when it is not one.
func parseHop(text string) netip.Addr {
	if a, err := netip.ParseAddr(text); err == nil {
		return a.Unmap()
	}
	if host, _, err := net.SplitHostPort(text); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.Unmap()
		}
	}
	return netip.Addr{}
}

// limitKey is the bucket of an address: itself for IPv4, its /64 for
// IPv6, the text as sent when it is no address.
func limitKey(a netip.Addr, text string) string {
	switch {
	case !a.IsValid():
		return text
	case a.Is6():
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
