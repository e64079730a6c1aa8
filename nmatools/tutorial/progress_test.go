package tutorial

import (
	"strings"
	"testing"
)

func TestProgressDisplays(t *testing.T) {
	var sb strings.Builder
	text := progressTo(false, &sb, nil, "study")
	text(3, 3)
	if !strings.Contains(sb.String(), "study: 3/3") {
		t.Errorf("terminal progress %q", sb.String())
	}
	var htmls []string
	nb := progressTo(true, nil, func(id, h string) { htmls = append(htmls, h) }, "a<b")
	nb(1, 4)
	if len(htmls) != 1 || !strings.Contains(htmls[0], `value="1" max="4"`) || !strings.Contains(htmls[0], "a&lt;b") {
		t.Errorf("notebook progress %q", htmls)
	}
}
