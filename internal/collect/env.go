package collect

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// IndexPilot's connection defaults (src/db.py), used when the DB_*
// variables are unset.
const (
	defaultDBHost           = "localhost"
	defaultDBPort           = "5432"
	defaultDBName           = "indexpilot"
	defaultDBUser           = "indexpilot"
	defaultDBSSLMode        = "prefer"
	defaultDBConnectTimeout = "10" // seconds
)

// DatabaseURLFromEnv returns the URL of the database IndexPilot manages,
// following IndexPilot's own conventions: SUPABASE_DB_URL when set, else a
// URL built from DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD,
// DB_SSLMODE and DB_CONNECT_TIMEOUT (seconds) with IndexPilot's defaults.
// getenv is usually os.Getenv. The result may hold a password: never log it.
func DatabaseURLFromEnv(getenv func(string) string) string {
	if u := strings.TrimSpace(getenv("SUPABASE_DB_URL")); u != "" {
		return u
	}
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	host, port := get("DB_HOST", defaultDBHost), get("DB_PORT", defaultDBPort)
	timeout := get("DB_CONNECT_TIMEOUT", defaultDBConnectTimeout)
	if n, err := strconv.Atoi(timeout); err != nil || n < 0 {
		timeout = defaultDBConnectTimeout
	}
	q := url.Values{}
	q.Set("sslmode", get("DB_SSLMODE", defaultDBSSLMode))
	q.Set("connect_timeout", timeout)
	u := url.URL{Scheme: "postgres", Path: "/" + get("DB_NAME", defaultDBName)}
	if strings.HasPrefix(host, "/") { // a Unix-socket directory, as libpq allows
		q.Set("host", host)
		q.Set("port", port)
	} else {
		u.Host = net.JoinHostPort(host, port)
	}
	user := get("DB_USER", defaultDBUser)
	if pw := getenv("DB_PASSWORD"); pw != "" {
		u.User = url.UserPassword(user, pw)
	} else {
		u.User = url.User(user)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
