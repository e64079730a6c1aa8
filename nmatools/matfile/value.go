package matfile

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Class is a MATLAB array class, numbered as in the MAT-file format
// (mxDOUBLE_CLASS = 6 and so on). ClassLogical is not a MAT-file class: the
// format stores logical arrays as uint8 with a flag; this package gives them
// their own Class so that whos-style listings say "logical".
type Class uint8

// The MATLAB array classes.
const (
	ClassCell     Class = 1
	ClassStruct   Class = 2
	ClassObject   Class = 3
	ClassChar     Class = 4
	ClassSparse   Class = 5
	ClassDouble   Class = 6
	ClassSingle   Class = 7
	ClassInt8     Class = 8
	ClassUint8    Class = 9
	ClassInt16    Class = 10
	ClassUint16   Class = 11
	ClassInt32    Class = 12
	ClassUint32   Class = 13
	ClassInt64    Class = 14
	ClassUint64   Class = 15
	ClassFunction Class = 16
	ClassOpaque   Class = 17
	// ClassLogical marks a logical array (stored as uint8 with the logical flag).
	ClassLogical Class = 64
)

var classNames = map[Class]string{
	ClassCell:     "cell",
	ClassStruct:   "struct",
	ClassObject:   "object",
	ClassChar:     "char",
	ClassSparse:   "sparse",
	ClassDouble:   "double",
	ClassSingle:   "single",
	ClassInt8:     "int8",
	ClassUint8:    "uint8",
	ClassInt16:    "int16",
	ClassUint16:   "uint16",
	ClassInt32:    "int32",
	ClassUint32:   "uint32",
	ClassInt64:    "int64",
	ClassUint64:   "uint64",
	ClassFunction: "function_handle",
	ClassOpaque:   "opaque",
	ClassLogical:  "logical",
}

// String returns the class name as MATLAB's class() and whos print it.
func (c Class) String() string {
	if s, ok := classNames[c]; ok {
		return s
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// isNumeric reports whether c is a class a Numeric may hold.
func (c Class) isNumeric() bool {
	return (c >= ClassDouble && c <= ClassUint64) || c == ClassLogical
}

// Value is one MATLAB array: *Numeric, *Char, *Struct, *Cell, *Sparse or
// *Unsupported.
type Value interface {
	// Size returns the array's dimensions (at least two, as MATLAB's
	// size). It is not called Dims because each concrete type has a field
	// Dims holding them.
	Size() []int
	// ClassName returns the class as MATLAB's whos prints it: "double",
	// "struct", "cell", "char", "logical", "int16", ...
	ClassName() string
}

// Numeric is a dense numeric or logical array. Real (and Imag, for complex
// arrays) hold the elements in column-major order, MATLAB's order, whatever
// the class: integer, single and logical values are converted to float64
// (exact for every class but int64 and uint64 beyond ±2⁵³).
type Numeric struct {
	Class Class
	Dims  []int
	Real  []float64
	Imag  []float64 // nil unless complex
}

// Size returns the dimensions.
func (n *Numeric) Size() []int { return n.Dims }

// ClassName returns the class name ("double", "int16", "logical", ...).
func (n *Numeric) ClassName() string { return n.Class.String() }

// IsComplex reports whether the array has an imaginary part.
func (n *Numeric) IsComplex() bool { return n.Imag != nil }

// Len returns the number of elements.
func (n *Numeric) Len() int { return len(n.Real) }

// At returns the real part of the element at the 0-based subscripts idx,
// MATLAB style: fewer subscripts than dimensions fold the trailing dimensions
// into the last subscript (one subscript is a linear, column-major index);
// extra subscripts must be 0. It panics if a subscript is out of range, like
// a slice index.
func (n *Numeric) At(idx ...int) float64 {
	return n.Real[linearIndex(n.Dims, idx)]
}

// At2 is At(r, c) for a two-dimensional array, without the variadic subscripts (a hot
// loop over a large array spends most of its time there); out of range it panics as At.
func (n *Numeric) At2(r, c int) float64 {
	if len(n.Dims) != 2 || r < 0 || c < 0 || r >= n.Dims[0] || c >= n.Dims[1] {
		return n.At(r, c)
	}
	return n.Real[r+c*n.Dims[0]]
}

// ImagAt returns the imaginary part at idx (0 for a real array).
func (n *Numeric) ImagAt(idx ...int) float64 {
	i := linearIndex(n.Dims, idx)
	if n.Imag == nil {
		return 0
	}
	return n.Imag[i]
}

// RowMajor returns the real parts in row-major (C, NumPy, nd.Array)
// order: the last dimension varies fastest. The result is a new slice.
func (n *Numeric) RowMajor() []float64 {
	return toRowMajor(n.Dims, n.Real)
}

// toRowMajor transposes column-major data of the given dims to row-major.
func toRowMajor(dims []int, colMajor []float64) []float64 {
	out := make([]float64, len(colMajor))
	if len(colMajor) == 0 {
		return out
	}
	nd := len(dims)
	// Strides of the row-major layout.
	rs := make([]int, nd)
	acc := 1
	for k := nd - 1; k >= 0; k-- {
		rs[k] = acc
		acc *= dims[k]
	}
	idx := make([]int, nd)
	for i, x := range colMajor {
		off := 0
		for k := 0; k < nd; k++ {
			off += idx[k] * rs[k]
		}
		out[off] = x
		// Advance the column-major subscript (first dimension fastest).
		for k := 0; k < nd && i+1 < len(colMajor); k++ {
			idx[k]++
			if idx[k] < dims[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

// Matrix returns the size of a 2-D array and an accessor for element (i, j),
// 0-based. It fails for arrays with more than two non-singleton trailing
// dimensions.
func (n *Numeric) Matrix() (rows, cols int, at func(i, j int) float64, err error) {
	rows, cols, err = matrixDims(n.Dims)
	if err != nil {
		return 0, 0, nil, err
	}
	re := n.Real
	return rows, cols, func(i, j int) float64 {
		if i < 0 || i >= rows || j < 0 || j >= cols {
			panic(fmt.Sprintf("matfile: index (%d,%d) out of range for a %dx%d matrix", i, j, rows, cols))
		}
		return re[i+j*rows]
	}, nil
}

func matrixDims(dims []int) (rows, cols int, err error) {
	for k := 2; k < len(dims); k++ {
		if dims[k] != 1 {
			return 0, 0, fmt.Errorf("matfile: array is %s, not a 2-D matrix", DimsString(dims))
		}
	}
	switch len(dims) {
	case 0:
		return 1, 1, nil
	case 1:
		return dims[0], 1, nil
	}
	return dims[0], dims[1], nil
}

// linearIndex maps MATLAB-style 0-based subscripts to a column-major index;
// it panics when a subscript is out of range.
func linearIndex(dims []int, idx []int) int {
	i, err := checkedIndex(dims, idx)
	if err != nil {
		panic(err.Error())
	}
	return i
}

// checkedIndex is linearIndex with an error instead of a panic.
func checkedIndex(dims []int, idx []int) (int, error) {
	if len(idx) == 0 {
		return 0, fmt.Errorf("matfile: no subscripts")
	}
	lin, stride := 0, 1
	for k, i := range idx {
		d := 1
		switch {
		case k < len(idx)-1 && k < len(dims):
			d = dims[k]
		case k == len(idx)-1 && k < len(dims):
			// The last subscript spans the remaining dimensions.
			for _, r := range dims[k:] {
				d *= r
			}
		}
		if i < 0 || i >= d {
			return 0, fmt.Errorf("matfile: subscript %d = %d out of range for an array of size %s", k+1, i, DimsString(dims))
		}
		lin += i * stride
		stride *= d
	}
	return lin, nil
}

// Char is a char array. Data holds one rune per MATLAB character (a UTF-16
// code unit) in column-major order.
type Char struct {
	Dims []int
	Data []rune
}

// Size returns the dimensions.
func (c *Char) Size() []int { return c.Dims }

// ClassName returns "char".
func (c *Char) ClassName() string { return "char" }

// String returns the text. A 2-D char matrix gives its rows, right-trimmed
// of nothing, joined by newlines; UTF-16 surrogate pairs are combined.
func (c *Char) String() string {
	rows, cols, err := matrixDims(c.Dims)
	if err != nil || rows <= 1 {
		return decodeUnits(c.Data)
	}
	var b strings.Builder
	row := make([]rune, cols)
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		for j := 0; j < cols; j++ {
			row[j] = c.Data[i+j*rows]
		}
		b.WriteString(decodeUnits(row))
	}
	return b.String()
}

// Rows returns the rows of a 2-D char matrix as strings (a cellstr-like view).
func (c *Char) Rows() []string {
	rows, _, err := matrixDims(c.Dims)
	if err != nil {
		return []string{c.String()}
	}
	if rows <= 1 {
		if len(c.Data) == 0 && rows == 0 {
			return nil
		}
		return []string{decodeUnits(c.Data)}
	}
	return strings.Split(c.String(), "\n")
}

func decodeUnits(units []rune) string {
	u := make([]uint16, len(units))
	for i, r := range units {
		u[i] = uint16(r)
	}
	return string(utf16.Decode(u))
}

// Struct is a struct array. Elems holds one map per element, in column-major
// order; each map has every name of Fields (in this package's values a
// missing key reads as MATLAB's [] for writing).
type Struct struct {
	Dims   []int
	Fields []string
	Elems  []map[string]Value
	// ObjectClass is the class name of an old-style MATLAB object (class
	// mxOBJECT), read as a struct; empty for a plain struct.
	ObjectClass string
}

// Size returns the dimensions.
func (s *Struct) Size() []int { return s.Dims }

// ClassName returns "struct", or the object's class name.
func (s *Struct) ClassName() string {
	if s.ObjectClass != "" {
		return s.ObjectClass
	}
	return "struct"
}

// Len returns the number of elements.
func (s *Struct) Len() int { return len(s.Elems) }

// Elem returns the element at the 0-based subscripts idx (column-major, as
// Numeric.At).
func (s *Struct) Elem(idx ...int) (map[string]Value, error) {
	i, err := checkedIndex(s.Dims, idx)
	if err != nil {
		return nil, err
	}
	return s.Elems[i], nil
}

// Field returns field name of element elem (a linear, column-major index).
func (s *Struct) Field(elem int, name string) (Value, error) {
	if elem < 0 || elem >= len(s.Elems) {
		return nil, fmt.Errorf("matfile: struct element %d out of range: the struct array is %s (%d elements)", elem, DimsString(s.Dims), len(s.Elems))
	}
	v, ok := s.Elems[elem][name]
	if !ok {
		if !s.HasField(name) {
			return nil, fmt.Errorf("matfile: struct has no field %q (fields: %s)", name, strings.Join(s.Fields, ", "))
		}
		return nil, fmt.Errorf("matfile: field %q of struct element %d is unset", name, elem)
	}
	return v, nil
}

// HasField reports whether name is one of the fields.
func (s *Struct) HasField(name string) bool {
	for _, f := range s.Fields {
		if f == name {
			return true
		}
	}
	return false
}

// SetField sets field name of element elem (linear index), adding the
// field to Fields if it is new.
func (s *Struct) SetField(elem int, name string, v Value) error {
	if elem < 0 || elem >= len(s.Elems) {
		return fmt.Errorf("matfile: struct element %d out of range: the struct array is %s", elem, DimsString(s.Dims))
	}
	if !s.HasField(name) {
		s.Fields = append(s.Fields, name)
	}
	if s.Elems[elem] == nil {
		s.Elems[elem] = map[string]Value{}
	}
	s.Elems[elem][name] = v
	return nil
}

// Cell is a cell array; Elems is column-major.
type Cell struct {
	Dims  []int
	Elems []Value
}

// Size returns the dimensions.
func (c *Cell) Size() []int { return c.Dims }

// ClassName returns "cell".
func (c *Cell) ClassName() string { return "cell" }

// Elem returns the element at the 0-based subscripts idx.
func (c *Cell) Elem(idx ...int) (Value, error) {
	i, err := checkedIndex(c.Dims, idx)
	if err != nil {
		return nil, err
	}
	return c.Elems[i], nil
}

// Sparse is a 2-D sparse array in compressed-column form, as MATLAB stores
// it: the nonzeros of column j are at positions Jc[j]..Jc[j+1]-1 of Ir (row
// indices, 0-based) and Real (and Imag).
type Sparse struct {
	Logical bool
	Dims    []int
	Ir      []int
	Jc      []int
	Real    []float64
	Imag    []float64 // nil unless complex
}

// Size returns the dimensions.
func (s *Sparse) Size() []int { return s.Dims }

// ClassName returns "double" or "logical" (whos adds the attribute sparse).
func (s *Sparse) ClassName() string {
	if s.Logical {
		return "logical"
	}
	return "double"
}

// MaxDenseElements bounds the size of the array Sparse.Dense will allocate.
const MaxDenseElements = 1 << 28

// Dense returns the array as a dense Numeric. It fails when the dense array
// would have more than MaxDenseElements elements.
func (s *Sparse) Dense() (*Numeric, error) {
	rows, cols := s.Dims[0], s.Dims[1]
	if rows != 0 && cols > MaxDenseElements/rows {
		return nil, fmt.Errorf("matfile: sparse %dx%d array is too large to make dense (more than %d elements)", rows, cols, MaxDenseElements)
	}
	n := &Numeric{Class: ClassDouble, Dims: []int{rows, cols}, Real: make([]float64, rows*cols)}
	if s.Logical {
		n.Class = ClassLogical
	}
	if s.Imag != nil {
		n.Imag = make([]float64, rows*cols)
	}
	for j := 0; j < cols; j++ {
		for k := s.Jc[j]; k < s.Jc[j+1]; k++ {
			n.Real[s.Ir[k]+j*rows] = s.Real[k]
			if s.Imag != nil {
				n.Imag[s.Ir[k]+j*rows] = s.Imag[k]
			}
		}
	}
	return n, nil
}

// Unsupported stands for an array whose class this package does not decode
// (function handles, MATLAB classdef objects such as string or table). The
// rest of the file is still read.
type Unsupported struct {
	Class  Class
	Dims   []int
	Reason string
}

// Size returns the dimensions, as stored (may be nil).
func (u *Unsupported) Size() []int { return u.Dims }

// ClassName returns the class name ("function_handle", "opaque", ...).
func (u *Unsupported) ClassName() string { return u.Class.String() }

// Var is a named top-level variable of a MAT-file.
type Var struct {
	Name   string
	Value  Value
	Global bool
}

// File is the content of a MAT-file.
type File struct {
	// Header is the descriptive text of the 128-byte header, trimmed.
	Header string
	// BigEndian tells the byte order of the file that was read.
	BigEndian bool
	Vars      []Var
	// Notes lists what was skipped while reading (unsupported classes, the
	// subsystem data block).
	Notes []string
}

// ErrNotFound is wrapped by File.Get when a variable is absent.
var ErrNotFound = errors.New("variable not found")

// Get returns the variable called name.
func (f *File) Get(name string) (Value, error) {
	for _, v := range f.Vars {
		if v.Name == name {
			return v.Value, nil
		}
	}
	names := make([]string, len(f.Vars))
	for i, v := range f.Vars {
		names[i] = v.Name
	}
	return nil, fmt.Errorf("matfile: %w: %q (the file has: %s)", ErrNotFound, name, strings.Join(names, ", "))
}

// DimsString formats dims as MATLAB does: "27x8".
func DimsString(dims []int) string {
	if len(dims) == 0 {
		return "0x0"
	}
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "x")
}

// numel returns the product of dims, or -1 on overflow or a negative dim.
func numel(dims []int) int {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return -1
		}
		if d != 0 && n > (1<<62)/d {
			return -1
		}
		n *= d
	}
	return n
}

func normDims(dims []int) []int {
	d := append([]int(nil), dims...)
	for len(d) < 2 {
		d = append(d, 1)
	}
	return d
}

// NewNumeric returns a real array of class c (a numeric class or
// ClassLogical) with dims and column-major data. It panics if len(colMajor)
// does not match dims, or c is not numeric. A single dim n means n×1.
func NewNumeric(c Class, dims []int, colMajor []float64) *Numeric {
	if !c.isNumeric() {
		panic("matfile: NewNumeric: not a numeric class: " + c.String())
	}
	d := normDims(dims)
	if n := numel(d); n != len(colMajor) {
		panic(fmt.Sprintf("matfile: NewNumeric: %d values for dims %s", len(colMajor), DimsString(d)))
	}
	return &Numeric{Class: c, Dims: d, Real: colMajor}
}

// NewDouble returns a real double array (see NewNumeric).
func NewDouble(dims []int, colMajor []float64) *Numeric {
	return NewNumeric(ClassDouble, dims, colMajor)
}

// NewScalar returns a 1×1 double.
func NewScalar(x float64) *Numeric { return NewDouble([]int{1, 1}, []float64{x}) }

// NewLogical returns a logical array.
func NewLogical(dims []int, colMajor []bool) *Numeric {
	v := make([]float64, len(colMajor))
	for i, b := range colMajor {
		if b {
			v[i] = 1
		}
	}
	return NewNumeric(ClassLogical, dims, v)
}

// NewComplex returns a complex double array.
func NewComplex(dims []int, re, im []float64) *Numeric {
	n := NewDouble(dims, re)
	if len(im) != len(re) {
		panic("matfile: NewComplex: real and imaginary parts differ in length")
	}
	n.Imag = im
	return n
}

// NewString returns a 1×N char row vector holding s (N counts UTF-16 code
// units, as MATLAB does).
func NewString(s string) *Char {
	u := utf16.Encode([]rune(s))
	r := make([]rune, len(u))
	for i, x := range u {
		r[i] = rune(x)
	}
	return &Char{Dims: []int{1, len(r)}, Data: r}
}

// NewStruct returns a struct array of the given dims with the given fields;
// every element starts with every field set to an empty double ([]).
func NewStruct(dims []int, fields []string) *Struct {
	d := normDims(dims)
	n := numel(d)
	if n < 0 {
		panic("matfile: NewStruct: bad dims " + DimsString(d))
	}
	s := &Struct{Dims: d, Fields: append([]string(nil), fields...), Elems: make([]map[string]Value, n)}
	for i := range s.Elems {
		m := make(map[string]Value, len(fields))
		for _, f := range fields {
			m[f] = Empty()
		}
		s.Elems[i] = m
	}
	return s
}

// NewCell returns a cell array of the given dims, every element [].
func NewCell(dims []int) *Cell {
	d := normDims(dims)
	n := numel(d)
	if n < 0 {
		panic("matfile: NewCell: bad dims " + DimsString(d))
	}
	c := &Cell{Dims: d, Elems: make([]Value, n)}
	for i := range c.Elems {
		c.Elems[i] = Empty()
	}
	return c
}

// Empty returns MATLAB's [] (a 0×0 double).
func Empty() *Numeric { return &Numeric{Class: ClassDouble, Dims: []int{0, 0}, Real: []float64{}} }
