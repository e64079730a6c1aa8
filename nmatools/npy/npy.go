package npy

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// MaxElems caps the elements of one array read from a .npy or .npz: 2^26 (256 MiB of
// float32); the tutorial's largest, a sweep's inputs, has well under a million.
const MaxElems = 1 << 26

// MaxTotalElems caps the elements of all the arrays read from one .npz together: 2^26
// (256 MiB of float32), so that many arrays each under MaxElems cannot add up to
// gigabytes.
const MaxTotalElems = 1 << 26

// Read reads a .npy file of float32 (or float64, converted) values. NaN and ±Inf are
// refused, naming the first one.
func Read(path string) (*nd.Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %w", err)
	}
	a, err := decode(bufio.NewReader(f), st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := nd.CheckFinite(path, a); err != nil {
		return nil, err
	}
	return a, nil
}

// ReadNpz reads every array of a .npz of float32 (or float64, converted) arrays, by name
// (without the .npy suffix). NaN and ±Inf are refused.
func ReadNpz(path string) (map[string]*nd.Array, error) {
	return readNpz(path, nil)
}

// ReadNpzArrays is ReadNpz for the arrays named names only: the others are skipped
// without being decoded (only their names are checked for duplicates). A name the file
// does not hold is absent from the map.
func ReadNpzArrays(path string, names ...string) (map[string]*nd.Array, error) {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	return readNpz(path, want)
}

func readNpz(path string, want map[string]bool) (map[string]*nd.Array, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: not a .npz (zip) archive: %w", path, err)
	}
	defer zr.Close()
	m, err := decodeNpz(&zr.Reader, want)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// decodeNpz decodes the arrays of a .npz archive (those in want; all when want is nil).
// A first pass reads only the headers, checking each entry against its declared size and
// MaxElems, and all of them together against MaxTotalElems; only then is any array's
// data allocated.
func decodeNpz(zr *zip.Reader, want map[string]bool) (map[string]*nd.Array, error) {
	type entry struct {
		f    *zip.File
		name string
		size int64
	}
	var entries []entry
	seen := map[string]bool{}
	total := 0
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, ".npy")
		if seen[name] {
			return nil, fmt.Errorf("array %q appears twice", name)
		}
		seen[name] = true
		if want != nil && !want[name] {
			continue
		}
		// The declared size must be one the compressed bytes can hold (deflate
		// expands at most ~1032:1), so that a lying header cannot make
		// decode allocate for data that is not there.
		if f.Method == zip.Store && f.UncompressedSize64 != f.CompressedSize64 ||
			f.UncompressedSize64/1100 > f.CompressedSize64+1024 {
			return nil, fmt.Errorf("array %q: the zip entry declares %d bytes from %d compressed bytes (corrupt archive)",
				name, f.UncompressedSize64, f.CompressedSize64)
		}
		e := entry{f: f, name: name, size: int64(min(f.UncompressedSize64, math.MaxInt64))}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("array %q: %w", name, err)
		}
		h, err := decodeHeader(bufio.NewReader(rc), e.size)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("array %q: %w", name, err)
		}
		if total += h.n; total > MaxTotalElems {
			return nil, fmt.Errorf("the arrays up to %q hold more than %d elements in all (npy.MaxTotalElems, 256 MiB of float32): "+
				"not an archive of this tutorial's arrays, or a corrupt one (save large arrays as separate .npy files)", name, MaxTotalElems)
		}
		entries = append(entries, e)
	}
	out := make(map[string]*nd.Array, len(entries))
	for _, e := range entries {
		rc, err := e.f.Open()
		if err != nil {
			return nil, fmt.Errorf("array %q: %w", e.name, err)
		}
		a, err := decode(bufio.NewReader(rc), e.size)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("array %q: %w", e.name, err)
		}
		if err := nd.CheckFinite("array "+e.name, a); err != nil {
			return nil, err
		}
		out[e.name] = a
	}
	return out, nil
}

// Write writes a as a float32 .npy file, atomically.
func Write(path string, a *nd.Array) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("write %w", err)
	}
	defer f.Abort()
	if err := numpy.ToNpyWriter(nd.ToTensor(a), f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// WriteNpz writes arrays (float32) and float64s (one-dimensional float64 arrays, e.g.
// sample times that float32 would round) as a .npz, names sorted so that the file is a
// function of its content, atomically. A name may not be in both maps.
func WriteNpz(path string, arrays map[string]*nd.Array, float64s map[string][]float64) error {
	all := make(map[string]*tensors.Tensor, len(arrays)+len(float64s))
	for n, a := range arrays {
		all[n] = nd.ToTensor(a)
	}
	for n, v := range float64s {
		if _, dup := all[n]; dup {
			return fmt.Errorf("write %s: array %q given twice", path, n)
		}
		all[n] = tensors.FromFlatDataAndDimensions(append([]float64(nil), v...), len(v))
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("write %w", err)
	}
	defer f.Abort()
	zw := zip.NewWriter(f)
	for _, n := range names {
		w, err := zw.Create(n + ".npy")
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := numpy.ToNpyWriter(all[n], w); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// header is what a .npy's header declares, checked against the bytes present.
type header struct {
	descr string
	shape []int
	n     int // elements
	item  int // bytes per element
	order binary.ByteOrder
}

// decode decodes a .npy of size bytes from r: format versions 1–3, dtype
// float32 or float64 (either byte order), C order. The shape is checked
// (non-negative, at most MaxElems, with checked multiplication) and its
// byte count compared with the bytes present before anything is allocated.
func decode(r io.Reader, size int64) (*nd.Array, error) {
	h, err := decodeHeader(r, size)
	if err != nil {
		return nil, err
	}
	return h.readData(r)
}

// decodeHeader reads and checks a .npy's header from r (size bytes in all),
// leaving r at the first data byte.
func decodeHeader(r io.Reader, size int64) (*header, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil || string(pre[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("not a .npy file (no \\x93NUMPY magic): save it with numpy.save")
	}
	var hlen, lenBytes int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf(".npy header truncated")
		}
		hlen, lenBytes = int(binary.LittleEndian.Uint16(b[:])), 2
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf(".npy header truncated")
		}
		hlen, lenBytes = int(binary.LittleEndian.Uint32(b[:])), 4
	default:
		return nil, fmt.Errorf(".npy format version %d.%d is not supported (1, 2 or 3)", pre[6], pre[7])
	}
	const maxHeader = 1 << 16
	if hlen > maxHeader || int64(8+lenBytes+hlen) > size {
		return nil, fmt.Errorf(".npy header declares %d bytes (file: %d bytes; at most %d): corrupt file", hlen, size, maxHeader)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf(".npy header truncated")
	}
	descr, fortran, shape, err := parseNpyHeader(string(hdr))
	if err != nil {
		return nil, fmt.Errorf(".npy header %q: %w", strings.TrimSpace(string(hdr)), err)
	}
	h := &header{descr: descr, shape: shape, order: binary.LittleEndian}
	switch descr {
	case "<f4", "=f4":
		h.item = 4
	case ">f4":
		h.item, h.order = 4, binary.BigEndian
	case "<f8", "=f8":
		h.item = 8
	case ">f8":
		h.item, h.order = 8, binary.BigEndian
	default:
		return nil, fmt.Errorf("dtype %q: want float32 or float64 (convert with a.astype(numpy.float32))", descr)
	}
	if fortran && len(shape) > 1 {
		return nil, fmt.Errorf("Fortran-order arrays are not supported: save numpy.ascontiguousarray(a)")
	}
	if h.n, err = nd.CheckedSize(shape, MaxElems); err != nil {
		return nil, err
	}
	have := size - int64(8+lenBytes+hlen)
	if int64(h.n)*int64(h.item) != have {
		return nil, fmt.Errorf("shape %v of %s needs %d data bytes, the file holds %d (truncated or corrupt file)",
			shape, descr, int64(h.n)*int64(h.item), have)
	}
	return h, nil
}

// readData reads the n values that follow header h from r.
func (h *header) readData(r io.Reader) (*nd.Array, error) {
	n, item, order, shape := h.n, h.item, h.order, h.shape
	// Memory grows with the data actually read (a size declared by a zip
	// entry could still lie), in 64 KiB chunks.
	buf := make([]byte, 64<<10)
	data := make([]float32, 0, min(n, len(buf)))
	for len(data) < n {
		k := min(n-len(data), len(buf)/item)
		if _, err := io.ReadFull(r, buf[:k*item]); err != nil {
			return nil, fmt.Errorf("data truncated after %d of %d values: %w", len(data), n, err)
		}
		for j := 0; j < k; j++ {
			if item == 4 {
				data = append(data, math.Float32frombits(order.Uint32(buf[4*j:])))
			} else {
				data = append(data, float32(math.Float64frombits(order.Uint64(buf[8*j:]))))
			}
		}
	}
	return nd.FromData(data, shape...)
}

// parseNpyHeader parses the Python dict literal of a .npy header:
// {'descr': '<f4', 'fortran_order': False, 'shape': (27, 250, 16), }.
func parseNpyHeader(h string) (descr string, fortran bool, shape []int, err error) {
	p := &pyLit{s: strings.TrimSpace(h)}
	if !p.eat('{') {
		return "", false, nil, fmt.Errorf("not a dict")
	}
	seen := map[string]bool{}
	for !p.eat('}') {
		key, ok := p.str()
		if !ok || !p.eat(':') {
			return "", false, nil, fmt.Errorf("malformed dict")
		}
		seen[key] = true
		switch key {
		case "descr":
			if descr, ok = p.str(); !ok {
				return "", false, nil, fmt.Errorf("descr is not a string (structured dtypes are not supported)")
			}
		case "fortran_order":
			switch {
			case p.word("True"):
				fortran = true
			case p.word("False"):
			default:
				return "", false, nil, fmt.Errorf("fortran_order is not True or False")
			}
		case "shape":
			if shape, ok = p.tuple(); !ok {
				return "", false, nil, fmt.Errorf("shape is not a tuple of integers")
			}
		default:
			return "", false, nil, fmt.Errorf("unknown key %q", key)
		}
		if !p.eat(',') && !p.peek('}') {
			return "", false, nil, fmt.Errorf("malformed dict")
		}
	}
	if !seen["descr"] || !seen["shape"] {
		return "", false, nil, fmt.Errorf("descr or shape missing")
	}
	return descr, fortran, shape, nil
}

// pyLit scans the few Python literals of a .npy header.
type pyLit struct {
	s string
	i int
}

func (p *pyLit) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t') {
		p.i++
	}
}
func (p *pyLit) peek(c byte) bool { p.skip(); return p.i < len(p.s) && p.s[p.i] == c }
func (p *pyLit) eat(c byte) bool {
	if p.peek(c) {
		p.i++
		return true
	}
	return false
}
func (p *pyLit) word(w string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}
func (p *pyLit) str() (string, bool) {
	p.skip()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", false
	}
	q := p.s[p.i]
	j := strings.IndexByte(p.s[p.i+1:], q)
	if j < 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+j]
	p.i += j + 2
	return v, true
}
func (p *pyLit) tuple() ([]int, bool) {
	if !p.eat('(') {
		return nil, false
	}
	shape := []int{}
	for !p.eat(')') {
		p.skip()
		j := p.i
		if j < len(p.s) && p.s[j] == '-' {
			j++
		}
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		v, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
		if err != nil {
			return nil, false
		}
		p.i = j
		p.word("L") // Python 2's long suffix
		shape = append(shape, int(v))
		if !p.eat(',') && !p.peek(')') {
			return nil, false
		}
		if len(shape) > 32 {
			return nil, false
		}
	}
	return shape, true
}
