// Package atomicfile writes files atomically: the content goes to a temporary
// file in the destination's directory, which is synced, given its permissions
// and renamed over the destination. A reader sees either the old file or the
// complete new one, never a partial write; a failed write leaves the old file
// (if any) untouched and removes the temporary file. ReplaceDir does the same for a
// directory written beside its destination.
package atomicfile
