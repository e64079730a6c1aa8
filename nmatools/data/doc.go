// Package data loads and prepares the tutorial's data: placeholder.
package data
