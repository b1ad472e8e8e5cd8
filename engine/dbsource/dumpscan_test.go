package dbsource

import (
	"testing"
)

// A mysqldump script in both shapes MariaDB and MySQL write, with values
// that look like syntax: quotes, escapes, parentheses, semicolons, newlines.
const sampleDump = "-- MariaDB dump 10.19\n" +
	"/*!40101 SET NAMES utf8mb4 */;\n" +
	"DROP TABLE IF EXISTS `items`;\n" +
	"CREATE TABLE `items` (\n  `id` int(11) NOT NULL,\n  `name` text\n) ENGINE=InnoDB;\n" +
	"CREATE TABLE `empty` (\n  `x` int\n);\n" +
	"CREATE TABLE `odd``name` (\n  `k` varchar(10)\n);\n" +
	"CREATE TABLE IF NOT EXISTS `general_log` (\n  `x` int\n);\n" +
	"LOCK TABLES `items` WRITE;\n" +
	"INSERT INTO `items` VALUES\n(1,'it\\'s'),\n(2,'(paren), comma; semi'),\n(3,'back\\\\'),\n(4,NULL);\n" +
	"INSERT INTO `items` VALUES (5,'one line'),(6,0x00FF),(7,'new\\nline ) (');\n" +
	"INSERT INTO `odd``name` VALUES ('a');\n" +
	"-- INSERT INTO `items` VALUES (99,'a comment is not a row');\n" +
	"/*!50001 CREATE VIEW `v` AS SELECT 1 AS `a` */;\n"

func scanAll(chunks ...string) Figures {
	s := newDumpScanner()
	for _, c := range chunks {
		s.Write([]byte(c))
	}
	return s.figures("shop")
}

func TestDumpScannerCountsRows(t *testing.T) {
	f := scanAll(sampleDump)
	want := map[string]int64{"items": 7, "empty": 0, "odd`name": 1, "general_log": 0}
	if len(f.Tables) != len(want) {
		t.Fatalf("tables %v, want %v", f.Tables, want)
	}
	for name, rows := range want {
		if got := f.Tables[name].Rows; got != rows {
			t.Errorf("%s: %d rows, want %d", name, got, rows)
		}
	}
	if f.Tables["empty"].Sum != "0000000000000000" {
		t.Errorf("empty table sum %s", f.Tables["empty"].Sum)
	}
}

// The figures must not depend on how the stream is cut into reads.
func TestDumpScannerSplitAnywhere(t *testing.T) {
	whole := scanAll(sampleDump)
	for i := 0; i <= len(sampleDump); i++ {
		got := scanAll(sampleDump[:i], sampleDump[i:])
		for name, w := range whole.Tables {
			if got.Tables[name] != w {
				t.Fatalf("split at %d: %s = %+v, want %+v", i, name, got.Tables[name], w)
			}
		}
	}
	bytewise := make([]string, len(sampleDump))
	for i := range sampleDump {
		bytewise[i] = sampleDump[i : i+1]
	}
	if got := scanAll(bytewise...); got.Tables["items"] != whole.Tables["items"] {
		t.Fatalf("byte by byte: %+v, want %+v", got.Tables["items"], whole.Tables["items"])
	}
}

// Row order does not matter; content does.
func TestDumpScannerChecksum(t *testing.T) {
	a := scanAll("INSERT INTO `t` VALUES (1,'a'),(2,'b');\n")
	b := scanAll("INSERT INTO `t` VALUES\n(2,'b'),\n(1,'a');\n")
	c := scanAll("INSERT INTO `t` VALUES (1,'a'),(2,'c');\n")
	if a.Tables["t"] != b.Tables["t"] {
		t.Errorf("order changed the figures: %+v vs %+v", a.Tables["t"], b.Tables["t"])
	}
	if a.Tables["t"].Sum == c.Tables["t"].Sum {
		t.Errorf("a changed value kept the checksum %s", a.Tables["t"].Sum)
	}
	cols := scanAll("INSERT INTO `t` (`a`, `b`) VALUES (1,'a'),(2,'b');\n")
	if cols.Tables["t"].Rows != 2 {
		t.Errorf("a column list was counted as a row: %+v", cols.Tables["t"])
	}
}

func FuzzDumpScannerSplit(f *testing.F) {
	f.Add(sampleDump, 10)
	f.Fuzz(func(t *testing.T, dump string, cut int) {
		if cut < 0 || cut > len(dump) {
			return
		}
		whole, split := scanAll(dump), scanAll(dump[:cut], dump[cut:])
		if len(whole.Tables) != len(split.Tables) {
			t.Fatalf("tables %v vs %v", whole.Tables, split.Tables)
		}
		for n, w := range whole.Tables {
			if split.Tables[n] != w {
				t.Fatalf("%s: %+v vs %+v", n, split.Tables[n], w)
			}
		}
	})
}
