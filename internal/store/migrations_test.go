package store

import (
	"testing"
	"testing/fstest"
)

func TestMigrationsInVersionOrder(t *testing.T) {
	files := fstest.MapFS{
		"migrations/010_b.sql": {Data: []byte("B")},
		"migrations/2_a.sql":   {Data: []byte("A")},
		"migrations/100_c.sql": {Data: []byte("C")},
	}
	ms, err := Migrations(files)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	for _, m := range ms {
		got += m.SQL
	}
	if got != "ABC" || ms[0].Version != 2 || ms[2].Name != "100_c.sql" {
		t.Errorf("Migrations = %+v", ms)
	}
	files["migrations/x.sql"] = &fstest.MapFile{Data: []byte("X")}
	if _, err := Migrations(files); err == nil {
		t.Error("a migration whose name has no number was accepted")
	}
}
