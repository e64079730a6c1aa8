// Package npy reads and writes NumPy's .npy and .npz files as nd arrays: the inputs
// and outputs of the nmatools command (generate, sweep, prepare, compare), a network's
// weights as a .npz (J, B, bx, W, c; see model.Load), and what Python scripts exchange
// with them.
//
// Read and ReadNpz take files as untrusted input. They accept format versions 1 to 3,
// dtype float32 or float64 (either byte order, float64 converted to float32), in C order,
// and refuse everything else with an error that says what to do (e.g. "convert with
// a.astype(numpy.float32)"). Every size a file declares is checked before anything is
// allocated: the header length against the file, the shape (non-negative, at most
// MaxElems elements, with checked multiplication) against the bytes present, a .npz
// entry's size against what its compressed bytes can expand to, and the elements of all
// of a .npz's arrays together against MaxTotalElems (every header is read before any
// array's data); memory then grows with the data actually read. ReadNpzArrays reads only
// the arrays it is asked for, skipping the others without decoding them. NaN and ±Inf are refused, naming the array and the index
// of the first one. The package's fuzz targets (FuzzNpy, FuzzNpz; `make fuzz`) run
// every input under a 1 GiB allocation cap.
//
// Write and WriteNpz write atomically (a temporary file renamed into place, so a good
// file is never replaced by a half-written one), through GoMLX's NumPy writer; a .npz
// lists its arrays in name order, so that its bytes depend on its content only.
package npy
