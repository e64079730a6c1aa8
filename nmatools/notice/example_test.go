package notice_test

import (
	"os"

	"github.com/neuromatch/nmatools/nmatools/notice"
)

// A program that wants the library's notices elsewhere (here on stdout, to show them)
// says so once.
func ExampleSetOutput() {
	defer notice.SetOutput(notice.SetOutput(os.Stdout))
	notice.Printf("data: using the %s stand-in", "SYNTHETIC")
	// Output:
	// data: using the SYNTHETIC stand-in
}
