// Package repo finds the nmatools repository (its data, checkpoints and caches):
// one lookup that every package, command and notebook uses.
//
// Root honours $NMATOOLS_ROOT when it is set (it must be a directory holding the
// go.mod of github.com/neuromatch/nmatools, otherwise Root says so); else it walks up
// from the working directory, then from the running executable's directory, to the
// first directory holding that go.mod.
package repo
