package collect

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestDatabaseURLFromEnv(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"IndexPilot's defaults", nil,
			"postgres://indexpilot@localhost:5432/indexpilot?connect_timeout=10&sslmode=prefer"},
		{"Supabase wins", map[string]string{"SUPABASE_DB_URL": "postgresql://u:p@db.example.supabase.co:6543/postgres", "DB_HOST": "ignored"},
			"postgresql://u:p@db.example.supabase.co:6543/postgres"},
		{"every DB_ variable", map[string]string{"DB_HOST": "db.internal", "DB_PORT": "6432", "DB_NAME": "crm", "DB_USER": "ip",
			"DB_PASSWORD": "p@ss/word?", "DB_SSLMODE": "require", "DB_CONNECT_TIMEOUT": "3"},
			"postgres://ip:p%40ss%2Fword%3F@db.internal:6432/crm?connect_timeout=3&sslmode=require"},
		{"IPv6 host, bad timeout", map[string]string{"DB_HOST": "::1", "DB_CONNECT_TIMEOUT": "soon"},
			"postgres://indexpilot@[::1]:5432/indexpilot?connect_timeout=10&sslmode=prefer"},
		{"Unix socket directory", map[string]string{"DB_HOST": "/var/run/postgresql"},
			"postgres://indexpilot@/indexpilot?connect_timeout=10&host=%2Fvar%2Frun%2Fpostgresql&port=5432&sslmode=prefer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := DatabaseURLFromEnv(func(k string) string { return c.env[k] })
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if _, err := pgx.ParseConfig(got); err != nil {
				t.Errorf("pgx cannot parse it: %v", err)
			}
		})
	}
}

func TestDatabaseURLFromEnvParsesAsIndexPilotMeansIt(t *testing.T) {
	cfg, err := pgx.ParseConfig(DatabaseURLFromEnv(func(k string) string {
		return map[string]string{"DB_HOST": "/var/run/postgresql", "DB_PASSWORD": "p@ss/word?", "DB_CONNECT_TIMEOUT": "3"}[k]
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "/var/run/postgresql" || cfg.Port != 5432 || cfg.User != "indexpilot" || cfg.Password != "p@ss/word?" ||
		cfg.Database != "indexpilot" || cfg.ConnectTimeout != 3*time.Second {
		t.Errorf("parsed %s@%s:%d/%s timeout %v", cfg.User, cfg.Host, cfg.Port, cfg.Database, cfg.ConnectTimeout)
	}
}
