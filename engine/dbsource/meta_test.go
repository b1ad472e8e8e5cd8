package dbsource

import (
	"strings"
	"testing"
)

func TestFiguresMetaRoundTrip(t *testing.T) {
	f := Figures{Kind: Postgres, Name: "sales", Method: methodPostgres, Consistency: "x",
		Tables: map[string]TableFigures{"public.a": {Rows: 3, Sum: "-12"}, "s.b:c": {Rows: 0, Sum: "0"}}}
	got, err := FiguresFromMeta(f.Meta())
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != f.Kind || got.Name != f.Name || got.Method != f.Method || len(got.Tables) != 2 || got.Tables["s.b:c"] != f.Tables["s.b:c"] || got.Tables["public.a"] != f.Tables["public.a"] {
		t.Fatalf("got %+v, want %+v", got, f)
	}
}

func TestFiguresFromMetaRefusesIncompleteMeta(t *testing.T) {
	full := Figures{Kind: MySQL, Name: "x", Method: methodMySQL, Tables: map[string]TableFigures{"a": {Rows: 1, Sum: "1"}}}.Meta()
	for _, tc := range []struct {
		name   string
		change func(map[string]string)
		msg    string
	}{
		{"no meta", func(m map[string]string) { clear(m) }, "records no table figures"},
		{"table dropped from meta", func(m map[string]string) { delete(m, "rows:a") }, "records 1 tables but figures for 0"},
		{"bad count", func(m map[string]string) { m["rows:a"] = "many" }, "row count of a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range full {
				m[k] = v
			}
			tc.change(m)
			if _, err := FiguresFromMeta(m); err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %q", err, tc.msg)
			}
		})
	}
}

func TestVerificationRefusesOtherMethod(t *testing.T) {
	want := Figures{Kind: MySQL, Method: "future/2"}
	got := Figures{Kind: MySQL, Method: methodMySQL}
	if _, err := verification(Database{Kind: MySQL}, want, got); err == nil {
		t.Fatal("figures of different methods compared")
	}
}

func TestSQLiteIntegrityFailureFailsVerification(t *testing.T) {
	v := &Verification{Kind: SQLite, Integrity: "*** in database main ***\nPage 3 is never used"}
	if v.OK() {
		t.Fatal("a failed integrity_check passed")
	}
}
