package scrub

import (
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/home/alice/proj/app.py", "/home/[user]/proj/app.py"},
		{"/home/alice", "/home/[user]"},
		{"/home/alice.smith-2/.venv/lib/python3.12/site-packages/psycopg2/__init__.py", "/home/[user]/.venv/lib/python3.12/site-packages/psycopg2/__init__.py"},
		{"/Users/bob/Library/Caches/pip", "/Users/[user]/Library/Caches/pip"},
		{"/Users/Shared/data.csv", "/Users/Shared/data.csv"},
		{"/root/.pgpass", "/root/.pgpass"},
		{"/var/lib/postgresql/16/main/postgresql.conf", "/var/lib/postgresql/16/main/postgresql.conf"},
		{`C:\Users\carol\AppData\Local\Programs\Python\Python311\python.exe`, `C:\Users\[user]\AppData\Local\Programs\Python\Python311\python.exe`},
		{`C:\Users\Jane Doe\project\main.py`, `C:\Users\[user]\project\main.py`},
		{`c:\users\dave\x.py`, `c:\users\[user]\x.py`},
		{`C:\\Users\\erin\\proj\\db.py`, `C:\\Users\\[user]\\proj\\db.py`},
		{`C:/Users/frank/proj/db.py`, `C:/Users/[user]/proj/db.py`},
		{`C:\Users\Public\Documents`, `C:\Users\Public\Documents`},
		{`D:\Documents and Settings\gus\Desktop`, `D:\Documents and Settings\[user]\Desktop`},
		{"/mnt/c/Users/hank/code", "/mnt/c/Users/[user]/code"},
		{"/export/home/ivan/bin", "/export/home/[user]/bin"},
		{"/home/[user]/already", "/home/[user]/already"},
		{"/srv/www/homepage/index.html", "/srv/www/homepage/index.html"},
		{"/nfs/home/judy/x", "/nfs/home/[user]/x"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Path(tt.in); got != tt.want {
			t.Errorf("Path(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Path(tt.want); got != tt.want {
			t.Errorf("Path(%q) = %q, not idempotent", tt.want, got)
		}
	}
}

func TestPathTruncates(t *testing.T) {
	p := "/home/alice/" + strings.Repeat("d/", MaxInput)
	got := Path(p)
	if len(got) > MaxInput || !strings.HasSuffix(got, TruncationMarker) || !strings.HasPrefix(got, "/home/[user]/d/") {
		t.Fatalf("Path of a %d-byte path: %d bytes, prefix %q", len(p), len(got), got[:20])
	}
}
