package main

import "bytes"

// runCmd runs the command line args and returns its exit code, stdout and stderr.
func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}
