package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fitOptions gives a select the width of its longest option, so a choice
// such as "Semua permintaan" is never cut to "Semua per…".
func fitOptions(sel *widget.Select) fyne.CanvasObject {
	var w float32
	for _, o := range sel.Options {
		w = max(w, fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	w += 4*theme.InnerPadding() + theme.IconInlineSize() // text padding and the drop-down arrow
	return container.NewGridWrap(fyne.NewSize(max(w, sel.MinSize().Width), sel.MinSize().Height), sel)
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

// tightVBox stacks objects like a VBox without the theme's padding between
// them: labels already carry their own inner padding, so the lines of one
// item read as one block instead of a spaced-out list.
type tightVBox struct{}

func (tightVBox) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		w = max(w, m.Width)
		h += m.Height
	}
	return fyne.NewSize(w, h)
}

func (tightVBox) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	var y float32
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
}

// navWidth is the width of the shell's navigation column.
const navWidth float32 = 220

// sidebarLayout puts its first object in a column of fixed width, the
// second (a separator) as a thin line beside it, and the third in the rest.
type sidebarLayout struct{ width float32 }

func (l *sidebarLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	nav, main := objects[0].MinSize(), objects[2].MinSize()
	return fyne.NewSize(l.width+theme.SeparatorThicknessSize()+main.Width, max(nav.Height, main.Height))
}

func (l *sidebarLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	sep := theme.SeparatorThicknessSize()
	objects[0].Move(fyne.NewPos(0, 0))
	objects[0].Resize(fyne.NewSize(l.width, size.Height))
	objects[1].Move(fyne.NewPos(l.width, 0))
	objects[1].Resize(fyne.NewSize(sep, size.Height))
	objects[2].Move(fyne.NewPos(l.width+sep, 0))
	objects[2].Resize(fyne.NewSize(size.Width-l.width-sep, size.Height))
}

// relayout lays a scroll's content out again after rows were added to or
// removed from it. A page's rows arrive after the page was laid out (they
// are read off the UI goroutine), and neither a Scroll nor the boxes inside
// it lay themselves out again when their content grows: without this the
// rows stayed at height 0, an empty page, whenever the read was slower
// than the first frame.
func relayout(s *container.Scroll) {
	if s == nil {
		return
	}
	s.Refresh() // the content takes its new height
	if c, ok := s.Content.(*fyne.Container); ok {
		c.Refresh() // and every box inside lays its rows out, outer first
	}
}
