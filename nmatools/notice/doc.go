// Package notice is where the library's one-line notices go: that the pure-Go backend
// runs because no XLA plugin was found (backend), that the synthetic stand-in data are
// used or a download failed (data), that a .pth held state_dict entries the model does
// not use (model). They are written to os.Stderr unless a program says otherwise, once,
// with SetOutput: the notebook package sends them nowhere, since it reports where data
// and networks come from itself, once per notebook kernel.
//
// Notices are for people; nothing depends on their wording. Errors are returned as
// errors, never written here.
package notice
