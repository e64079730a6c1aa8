package main

import (
	"fmt"
	"regexp"
	"strings"
)

// StudentMarker starts the message a student notebook's blanks print
// (the notebooks' todo helper).
const StudentMarker = "Student exercise"

var (
	// GoNB reports a cell program that failed at run time with this line on stderr.
	reExitStatus = regexp.MustCompile(`(?m)^exit status \d+\s*$`)
	// A cell that draws a figure.
	reDisplays = regexp.MustCompile(`\b(show|showAll|tutorial\.Show|tutorial\.Display|tutorial\.DisplayPNG|gonbui\.DisplaySVG|gonbui\.DisplayPNG|gonbui\.DisplayHTML|gonbui\.SendData)\(`)
	// A cell's own word that it left out what it draws: the notebook's cells of real data
	// print "skipped: why" where that data is not at hand (a clone without it, the image).
	reSkipped = regexp.MustCompile(`(?m)^skipped: `)
	// The line that starts a GoNB cell's main body.
	reMainStart = regexp.MustCompile(`(?m)^%%\s*$`)
	// An external script in exported HTML.
	reExternalScript = regexp.MustCompile(`(?i)<script[^>]*\bsrc\s*=\s*["']?(https?:)?//`)
)

// CellReport is what verify found in one executed code cell.
type CellReport struct {
	Index    int
	Error    string // empty when the cell ran cleanly
	Images   int
	Displays bool // the source draws a figure
	Skipped  bool // it printed a "skipped: why" line (a figure of data that is not at hand)
	Check    bool // tagged check
}

// Inspect classifies every code cell of an executed notebook.
func Inspect(nb *Notebook) []CellReport {
	var reps []CellReport
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		r := CellReport{Index: i, Displays: drawsFigure(string(c.Source))}
		for _, t := range c.Tags() {
			if t == "check" {
				r.Check = true
			}
		}
		if c.ExecutionCount == nil {
			r.Error = "not executed (execution_count is null)"
		}
		var stderr strings.Builder
		errorOutput := "" // GoNB v0.11.5 adds "ERROR: exit status 1" after the program's own words
		for _, o := range c.Outputs {
			switch o.OutputType {
			case "error":
				errorOutput = firstNonEmpty(errorOutput, fmt.Sprintf("%s: %s", o.EName, o.EValue))
			case "stream":
				if o.Name == "stderr" {
					stderr.WriteString(string(o.Text))
				} else if reSkipped.MatchString(string(o.Text)) {
					r.Skipped = true
				}
			case "display_data", "execute_result":
				if _, ok := o.Data["image/svg+xml"]; ok {
					r.Images++
				} else if _, ok := o.Data["image/png"]; ok {
					r.Images++
				}
				if h, ok := o.Data["text/html"]; ok && strings.Contains(string(h), "gonb-err") {
					// GoNB's compile-error report.
					r.Error = firstNonEmpty(r.Error, "compile error: "+htmlText(string(h)))
				}
			}
		}
		se := stderr.String()
		if reExitStatus.MatchString(se) || strings.Contains(se, "panic: ") {
			r.Error = firstNonEmpty(r.Error, strings.TrimSpace(se))
		}
		r.Error = firstNonEmpty(r.Error, errorOutput)
		reps = append(reps, r)
	}
	return reps
}

// drawsFigure reports whether a cell's main body (the code after "%%"; a
// cell of declarations only runs nothing) calls a display function.
func drawsFigure(src string) bool {
	loc := reMainStart.FindStringIndex(src)
	if loc == nil {
		return false
	}
	return reDisplays.MatchString(src[loc[1]:])
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var reTags = regexp.MustCompile(`<[^>]*>`)

// htmlText strips tags and collapses space, to quote an HTML error briefly.
func htmlText(h string) string {
	if i := strings.Index(h, "</style>"); i >= 0 {
		h = h[i+len("</style>"):]
	}
	t := strings.Join(strings.Fields(reTags.ReplaceAllString(h, " ")), " ")
	if len(t) > 300 {
		t = t[:300] + "…"
	}
	return t
}

// Verify checks an executed notebook of variant v and returns one line per
// problem (nil when it passes):
//
//   - instructor: no cell failed, and every cell that draws has a stored
//     image (image/svg+xml or image/png);
//   - student: every failed cell failed with the "Student exercise" message,
//     every cell tagged check failed that way (the blanks stop the run), at
//     least one did, and every cell that ran cleanly and draws has an image.
func Verify(nb *Notebook, v Variant) []string {
	var probs []string
	stopped := 0
	for _, r := range Inspect(nb) {
		at := fmt.Sprintf("cell %d", r.Index)
		switch {
		case r.Error == "":
			if r.Check && v == Student {
				probs = append(probs, at+": tagged check, but it ran cleanly in the student notebook (does its exercise have blanks?)")
			}
			if r.Displays && r.Images == 0 && !r.Skipped {
				probs = append(probs, at+": draws a figure but stored no image/svg+xml or image/png output")
			}
		case v == Instructor:
			probs = append(probs, at+": failed: "+short(r.Error))
		case !strings.Contains(r.Error, StudentMarker):
			probs = append(probs, at+": failed without the \""+StudentMarker+"\" message: "+short(r.Error))
		default:
			stopped++
		}
	}
	if v == Student && stopped == 0 {
		probs = append(probs, "no cell stopped with \""+StudentMarker+"\": the student notebook has no open exercise")
	}
	return probs
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// VerifyHTML returns problems of an exported HTML page: any script loaded
// from the network (the page must work offline).
func VerifyHTML(page string) []string {
	var probs []string
	for _, m := range reExternalScript.FindAllString(page, -1) {
		probs = append(probs, "external script: "+m)
	}
	return probs
}

// Summary is a one-line account of an executed notebook.
func Summary(nb *Notebook) string {
	cells, errs, imgs, stopped := 0, 0, 0, 0
	for _, r := range Inspect(nb) {
		cells++
		imgs += r.Images
		if r.Error != "" {
			errs++
			if strings.Contains(r.Error, StudentMarker) {
				stopped++
			}
		}
	}
	return fmt.Sprintf("%d code cells, %d figures, %d failed (%d with %q)", cells, imgs, errs, stopped, StudentMarker)
}
