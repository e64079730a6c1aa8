package npy

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
)

// FuzzNpy: arbitrary bytes as a .npy: an array or an error, never a panic, and never
// more than memcap.Limit (1 GiB) allocated for one input. The seeds hold the crafted
// headers of hostileNpy.
//
//	go test -run XXX -fuzz '^FuzzNpy$' -fuzztime 1m ./nmatools/npy/
func FuzzNpy(f *testing.F) {
	for _, c := range hostileNpy {
		f.Add(npyBytes(c.dict, c.data))
	}
	f.Add(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f32le(1, 2, 3, 4, 5, 6)))
	f.Add(npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)))
	f.Add(append([]byte("\x93NUMPY\x02\x00"), binary.LittleEndian.AppendUint32(nil, 1<<31)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		memcap.Check(t, memcap.Limit, func() {
			a, err := decode(bufio.NewReader(bytes.NewReader(data)), int64(len(data)))
			if err == nil && len(a.Data) > len(data) {
				t.Fatalf("%d elements from %d bytes", len(a.Data), len(data))
			}
		})
	})
}

// FuzzNpz: arbitrary bytes as a .npz.
func FuzzNpz(f *testing.F) {
	zipOf := func(entries ...[]byte) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for i, e := range entries {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: string(rune('a'+i)) + ".npy", Method: zip.Store})
			w.Write(e)
		}
		zw.Close()
		return b.Bytes()
	}
	for _, c := range hostileNpy {
		f.Add(zipOf(npyBytes(c.dict, c.data)))
	}
	f.Add(zipOf(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f32le(1, 2, 3, 4, 5, 6)),
		npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", make([]byte, 8))))
	f.Fuzz(func(t *testing.T, data []byte) {
		memcap.Check(t, memcap.Limit, func() {
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				return
			}
			_, _ = decodeNpz(zr, nil)
		})
	})
}
