package tutorial

import (
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
	"github.com/neuromatch/nmatools/nmatools/plot"
)

// Show displays a figure in the cell's output as an SVG image and waits until the
// notebook has it (gonbui.Sync). It takes a plot function's two results
// directly: tutorial.Show(plot.MusclesOverTime(...)). A non-nil err stops
// the cell (Check).
func Show(fig *plot.Figure, err error) {
	Check(err)
	Check(display(fig))
	if cellMode() {
		gonbui.Sync()
	}
}

// display shows the figure in a GoNB notebook cell as an SVG image. It is
// sent as image/svg+xml (gonbui.DisplaySVG would send it as text/html), so the
// saved notebook and its HTML export hold it as an image. Outside GoNB it only
// renders the figure (to report errors). A cell that displays must call
// gonbui.Sync() at its end, or the last display may be lost (Show does).
func display(f *plot.Figure) error {
	svg, err := f.SVG()
	if err != nil {
		return err
	}
	if !cellMode() {
		return nil
	}
	title := "figure"
	if f.Plot != nil && f.Plot.Title.Text != "" {
		title = f.Plot.Title.Text
	}
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMEImageSVG:  string(svg),
		protocol.MIMETextPlain: "<Figure: " + title + ">",
	}})
	return nil
}
