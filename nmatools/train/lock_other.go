//go:build !unix

package train

import "os"

// lockDir: no directory lock where flock is missing (nmatools targets Linux and
// macOS); concurrent runs on one directory are the user's to avoid there.
func lockDir(dir string) (*os.File, error) { return nil, nil }

func unlockDir(*os.File) {}
