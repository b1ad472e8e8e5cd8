package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// snapshotCalendar is a month view where the days that have snapshots are
// highlighted and the only ones that can be picked.
type snapshotCalendar struct {
	box    *fyne.Container
	month  time.Time // first day of the month shown
	counts map[string]int
	picked func(day time.Time)
	days   map[int]*widget.Button // day of month → button, for tests
}

func dayKey(t time.Time) string { return t.Local().Format("2006-01-02") }

func newSnapshotCalendar(picked func(day time.Time)) *snapshotCalendar {
	now := time.Now()
	c := &snapshotCalendar{box: container.NewVBox(), month: time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.Local),
		counts: map[string]int{}, picked: picked}
	c.draw()
	return c
}

// setSnapshotTimes marks the days with snapshots and shows the newest's month.
func (c *snapshotCalendar) setSnapshotTimes(times []time.Time) {
	c.counts = map[string]int{}
	var newest time.Time
	for _, t := range times {
		c.counts[dayKey(t)]++
		if t.After(newest) {
			newest = t
		}
	}
	if !newest.IsZero() {
		n := newest.Local()
		c.month = time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.Local)
	}
	c.draw()
}

func weekdayNames() []string {
	return []string{lang.L("Mon"), lang.L("Tue"), lang.L("Wed"), lang.L("Thu"), lang.L("Fri"), lang.L("Sat"), lang.L("Sun")}
}

func (c *snapshotCalendar) draw() {
	c.box.RemoveAll()
	c.days = map[int]*widget.Button{}
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { c.month = c.month.AddDate(0, -1, 0); c.draw() })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { c.month = c.month.AddDate(0, 1, 0); c.draw() })
	title := widget.NewLabelWithStyle(fmt.Sprintf("%s %d", monthName(c.month.Month()), c.month.Year()), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	c.box.Add(container.NewBorder(nil, nil, prev, next, title))
	grid := container.NewGridWithColumns(7)
	for _, d := range weekdayNames() {
		grid.Add(widget.NewLabelWithStyle(d, fyne.TextAlignCenter, fyne.TextStyle{}))
	}
	offset := (int(c.month.Weekday()) + 6) % 7 // Monday first
	for i := 0; i < offset; i++ {
		grid.Add(widget.NewLabel(""))
	}
	for day := c.month; day.Month() == c.month.Month(); day = day.AddDate(0, 0, 1) {
		b := widget.NewButton(fmt.Sprint(day.Day()), nil)
		if n := c.counts[dayKey(day)]; n > 0 {
			b.Importance = widget.HighImportance
			picked := day
			b.OnTapped = func() { c.picked(picked) }
		} else {
			b.Importance = widget.LowImportance
			b.Disable()
		}
		c.days[day.Day()] = b
		grid.Add(b)
	}
	c.box.Add(grid)
	c.box.Refresh()
}

func monthName(m time.Month) string {
	names := []string{lang.L("January"), lang.L("February"), lang.L("March"), lang.L("April"), lang.L("May"), lang.L("June"),
		lang.L("July"), lang.L("August"), lang.L("September"), lang.L("October"), lang.L("November"), lang.L("December")}
	return names[m-1]
}
