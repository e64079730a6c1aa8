package tutorial

import (
	"strings"
	"testing"
	"time"

	"github.com/neuromatch/nmatools/nmatools/train"
)

func TestProgressDisplays(t *testing.T) {
	var sb strings.Builder
	text := progressTo(false, &sb, nil, "sweep")
	text(3, 3)
	if !strings.Contains(sb.String(), "sweep: 3/3") {
		t.Errorf("terminal progress %q", sb.String())
	}
	var ids, htmls []string
	rec := func(id, h string) { ids, htmls = append(ids, id), append(htmls, h) }
	nb := progressTo(true, nil, rec, "a<b")
	nb(1, 4)
	if len(htmls) != 1 || !strings.Contains(htmls[0], `value="1" max="4"`) || !strings.Contains(htmls[0], "a&lt;b") {
		t.Errorf("notebook progress %q", htmls)
	}
	tp := trainProgress(rec, "id1")
	tp(train.ProgressUpdate{Name: "reg", Epoch: 2, Epochs: 10, TrainLoss: 0.5, ValLoss: 0.25, Elapsed: time.Second})
	tp(train.ProgressUpdate{Name: "reg", Epoch: 2, Epochs: 10, Done: true, Stopped: "interrupted"})
	if ids[len(ids)-1] != "id1" || !strings.Contains(htmls[1], "2/10 epochs") || !strings.Contains(htmls[2], "stopped (interrupted)") {
		t.Errorf("training progress %q", htmls)
	}
}
