// Package nd holds Array, a dense row-major n-dimensional float32 array on the
// host. It is the currency between nmatools' packages: the data layer produces
// Arrays, the model consumes and produces them, the plots draw them.
//
// It is deliberately small: shape bookkeeping, indexing, sub-arrays along the
// first axes and a few reductions. Heavy work runs in GoMLX graphs.
package nd
