// Package matfile reads and writes MATLAB Level 5 MAT-files: what MATLAB
// writes with save -v6 or -v7 (the default before R2006b's -v7.3 option
// became common), what Octave writes with save -v6/-v7, and what
// scipy.io.savemat writes.
//
// Reading gives a File: its variables, each a Value. The concrete types are
//
//   - *Numeric: double, single, int8…int64, uint8…uint64 and logical arrays,
//     real or complex, every element converted to float64 (exact except for
//     64-bit integers beyond ±2⁵³);
//   - *Char: char arrays, one rune per UTF-16 code unit;
//   - *Struct: struct arrays of any size, one map of fields per element
//     (old-style objects read as structs with ObjectClass set);
//   - *Cell: cell arrays;
//   - *Sparse: sparse double and logical matrices (compressed columns);
//   - *Unsupported: function handles and classdef objects (string, table,
//     ...), which are listed but not decoded; File.Notes says so.
//
// Each concrete type keeps its dimensions in a field Dims; the Value
// interface gives them as Size() (MATLAB's size), since Go does not allow a
// field and a method of the same name.
//
// All data are column-major, MATLAB's order, and subscripts are 0-based:
// for a 61×50×10 array x, x.At(i, j, k) is MATLAB's x(i+1, j+1, k+1).
//
// Compressed (miCOMPRESSED, zlib) and uncompressed variables, both byte
// orders, the small data element format and the global flag are handled.
// MATLAB v7.3 files are HDF5 files and are refused with an error that says
// how to re-save them (save(filename, ..., '-v7')); so are Level 4 files.
//
// The reader checks every size against the bytes actually present before it
// allocates, so a corrupt or truncated file gives an error (a *FormatError
// naming the variable, the path inside it and the byte offset), never a
// panic or a huge allocation. The package is fuzzed (FuzzRead).
//
// Write and WriteFile write Level 5 files (zlib-compressed by default, like
// save -v7) that MATLAB, Octave and scipy.io.loadmat read; WriteFile is
// atomic (temporary file, fsync, rename).
//
// Describe lists a file's variables like MATLAB's whos, descending into the
// fields of structs; the nmatools command "mat" prints it.
package matfile
