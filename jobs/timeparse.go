package jobs

import (
	"fmt"
	"strings"
	"time"
)

// Precision is how exactly a person gave a time: "2026-11-20" names a
// whole day, "2026-11-20 22:26" a whole minute. The window, the command
// line and requests all read times with ParseTime and widen them with
// AsOf, so "as of 22:26" finds the backup taken at 22:26:40 everywhere.
type Precision int

// Precisions, from the finest. The zero value means "decide from the time":
// a time on a whole minute is a minute, anything finer is exact.
const (
	PrecisionAuto Precision = iota
	PrecisionExact
	PrecisionSecond
	PrecisionMinute
	PrecisionDay
)

// timeLayouts are the forms a person may type, with the precision each gives.
var timeLayouts = []struct {
	layout string
	prec   Precision
}{
	{"2006-01-02 15:04", PrecisionMinute},
	{"2006-01-02 15:04:05", PrecisionSecond},
	{"2006-01-02T15:04", PrecisionMinute},
	{"2006-01-02T15:04:05", PrecisionSecond},
	{"2006-01-02 15.04", PrecisionMinute}, // Indonesian usage: 21.00
	{"02/01/2006 15:04", PrecisionMinute}, // Indonesian day/month/year
	{"02/01/2006 15.04", PrecisionMinute},
	{"02/01/2006", PrecisionDay},
	{"2006-01-02", PrecisionDay},
	{time.RFC3339Nano, PrecisionExact},
}

// ParseTime reads a time a person typed, in loc, and says how precise it is.
func ParseTime(s string, loc *time.Location) (time.Time, Precision, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l.layout, s, loc); err == nil {
			return t, l.prec, nil
		}
	}
	return time.Time{}, 0, fmt.Errorf("time %q: want YYYY-MM-DD HH:MM (or YYYY-MM-DD for a whole day)", s)
}

// ParseLocalTime reads a time a person typed, in loc, as the instant it
// starts at ("2026-11-20" is its midnight): for when to run something.
func ParseLocalTime(s string, loc *time.Location) (time.Time, error) {
	t, _, err := ParseTime(s, loc)
	return t, err
}

// ParseAsOf reads a time a person typed as the last instant it covers: for
// "the data as of": a minute includes its seconds, a date its whole day.
func ParseAsOf(s string, loc *time.Location) (time.Time, error) {
	t, p, err := ParseTime(s, loc)
	if err != nil {
		return time.Time{}, err
	}
	return AsOf(t, p), nil
}

// AsOf widens t to the last instant of the precision it was given to.
func AsOf(t time.Time, p Precision) time.Time {
	if p == PrecisionAuto {
		p = PrecisionExact
		if t.Second() == 0 && t.Nanosecond() == 0 {
			p = PrecisionMinute
		}
	}
	const last = time.Nanosecond
	switch p {
	case PrecisionDay:
		y, m, d := t.Date()
		return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location()).Add(-last)
	case PrecisionMinute:
		return t.Truncate(time.Minute).Add(time.Minute - last)
	case PrecisionSecond:
		return t.Truncate(time.Second).Add(time.Second - last)
	}
	return t
}

// FormatAsOf prints an "as of" time as precisely as it was given: a whole
// day as its date, a whole minute without seconds.
func FormatAsOf(t time.Time) string {
	t = t.Local()
	if t.Nanosecond() != 999_999_999 {
		return t.Format("2006-01-02 15:04:05")
	}
	switch {
	case t.Hour() == 23 && t.Minute() == 59 && t.Second() == 59:
		return t.Format("2006-01-02")
	case t.Second() == 59:
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("2006-01-02 15:04:05")
}
