package atomicfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File is a temporary file that replaces its destination on Commit.
// Write to it like an *os.File; call Commit to publish it or Abort to
// discard it. Abort after Commit does nothing, so
//
//	f, err := atomicfile.Create(path)
//	if err != nil { return err }
//	defer f.Abort()
//	... write ...
//	return f.Commit()
//
// is the usual pattern.
type File struct {
	*os.File
	path string
	perm os.FileMode
	done bool
}

// Create opens a temporary file next to path that Commit renames to path
// with permissions 0644.
func Create(path string) (*File, error) {
	return CreatePerm(path, 0o644)
}

// CreatePerm is Create with the given permissions for the committed file.
func CreatePerm(path string, perm os.FileMode) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return &File{File: tmp, path: path, perm: perm}, nil
}

// Path is the destination the file is committed to.
func (f *File) Path() string { return f.path }

// Commit syncs and closes the temporary file, sets its permissions and renames
// it over the destination. On failure the temporary file is removed and the
// destination is left as it was.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("writing %s: already committed or aborted", f.path)
	}
	f.done = true
	name := f.Name()
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, f.perm)
	}
	if err == nil {
		err = os.Rename(name, f.path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	// Make the rename durable; not all systems can sync a directory, so
	// errors here are ignored.
	if d, e := os.Open(filepath.Dir(f.path)); e == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Abort closes and removes the temporary file, leaving the destination as it
// was. It does nothing after Commit or a previous Abort.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if errors.Is(cerr, os.ErrClosed) {
		cerr = nil
	}
	return errors.Join(cerr, rerr)
}

// WriteFile writes data to path atomically with permissions perm.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteJSON writes v as indented JSON (two spaces, a final newline) to path
// atomically with permissions 0644. If v cannot be encoded nothing is written.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return WriteFile(path, append(b, '\n'), 0o644)
}

// Write creates path atomically with permissions perm from what write writes;
// if write returns an error nothing is published and that error is returned.
func Write(path string, perm os.FileMode, write func(w io.Writer) error) error {
	f, err := CreatePerm(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := write(f); err != nil {
		return err
	}
	return f.Commit()
}

// ReplaceDir moves the finished directory tmp (beside dst) to dst, replacing what dst
// held: the old dst is renamed aside first and put back if the move fails, so dst is
// either the old directory or the new one, never missing or half-written. The old copy
// is then removed; failing to remove it only leaves it behind (tmp + ".old").
func ReplaceDir(tmp, dst string) error {
	old := ""
	if _, err := os.Stat(dst); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dst, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		if old != "" {
			_ = os.Rename(old, dst) // put the previous one back
		}
		return err
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	return nil
}
