package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DefaultDPI is the resolution PNG renders use when none is given.
const DefaultDPI = 96

// Figure is a gonum plot together with the size the tutorial gives it and,
// optionally, a legend drawn outside the data area on the right (matplotlib's
// legend(loc='center left', bbox_to_anchor=(1, 0.5))).
type Figure struct {
	Plot *gplot.Plot
	// Side, when not nil, is drawn to the right of the plot, vertically
	// centred; the plot's own legend is then left empty.
	Side *gplot.Legend
	// Width and Height are the figure size (the tutorial's figsize).
	Width, Height vg.Length

	// panels, when not nil, are drawn as a grid of plots (rows of
	// columns) under Plot's title, instead of Plot (see Panels).
	panels [][]*gplot.Plot
}

// Resize returns f with a new size (the same plot, not a copy).
func (f *Figure) Resize(w, h vg.Length) *Figure {
	f.Width, f.Height = w, h
	return f
}

// Draw draws the figure on a canvas.
func (f *Figure) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	if f.Side == nil {
		f.drawMain(c)
		return
	}
	lr := f.Side.Rectangle(c)
	w := lr.Max.X - lr.Min.X
	h := lr.Max.Y - lr.Min.Y
	gap := vg.Points(6)
	f.drawMain(draw.Crop(c, 0, -(w + 2*gap), 0, 0))
	// Vertically centred on the data area (approximately: the canvas' middle).
	mid := (c.Min.Y + c.Max.Y) / 2
	lc := c
	lc.Min.X = c.Max.X - w - gap
	lc.Max.X = c.Max.X
	lc.Max.Y = mid + h/2
	lc.Min.Y = mid - h/2
	f.Side.Draw(lc)
}

func (f *Figure) check() error {
	if f == nil || f.Plot == nil {
		return fmt.Errorf("plot: nil figure")
	}
	if f.Width <= 0 || f.Height <= 0 {
		return fmt.Errorf("plot: figure size %v×%v must be positive (use Resize)", f.Width, f.Height)
	}
	return nil
}

// SVG renders the figure as SVG (fonts referenced by name, not embedded).
func (f *Figure) SVG() ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	c := vgsvg.New(f.Width, f.Height)
	f.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot: rendering SVG: %w", err)
	}
	return buf.Bytes(), nil
}

// PNG renders the figure as PNG at dpi dots per inch (0: DefaultDPI).
func (f *Figure) PNG(dpi int) ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if dpi == 0 {
		dpi = DefaultDPI
	}
	if dpi < 0 || dpi > 1200 {
		return nil, fmt.Errorf("plot: dpi %d out of range (1..1200)", dpi)
	}
	c := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(dpi))
	f.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot: rendering PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// PDF renders the figure as PDF.
func (f *Figure) PDF() ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	c := vgpdf.New(f.Width, f.Height)
	f.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot: rendering PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// Render renders the figure in the format named by ext: "svg", "png" or
// "pdf" (a leading dot and upper case are accepted).
func (f *Figure) Render(ext string) ([]byte, error) {
	switch strings.ToLower(strings.TrimPrefix(ext, ".")) {
	case "svg":
		return f.SVG()
	case "png":
		return f.PNG(0)
	case "pdf":
		return f.PDF()
	}
	return nil, fmt.Errorf("plot: unknown image format %q: use .svg, .png or .pdf", ext)
}

// Save writes the figure to path, in the format its extension names
// (.svg, .png or .pdf), atomically: a temporary file in the same directory
// is renamed over path only once completely written.
func (f *Figure) Save(path string) error {
	data, err := f.Render(filepath.Ext(path))
	if err != nil {
		return fmt.Errorf("%w (file %s)", err, path)
	}
	return WriteFileAtomic(path, data)
}

// WriteFileAtomic writes data to a temporary file next to path and renames it
// over path.
func WriteFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}
