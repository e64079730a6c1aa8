package matfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
)

// int8AsDouble is an uncompressed MAT-file with one double variable x of n
// elements stored as miINT8: n bytes in the file decode to 8n bytes of float64.
func int8AsDouble(n int) []byte {
	var b bytes.Buffer
	head := make([]byte, 128)
	copy(head, "MATLAB 5.0 MAT-file, crafted")
	for i := 28; i < 116; i++ {
		head[i] = ' '
	}
	head[124], head[125], head[126], head[127] = 0, 1, 'I', 'M'
	b.Write(head)
	le := binary.LittleEndian
	var body bytes.Buffer
	w := func(v ...uint32) {
		for _, x := range v {
			binary.Write(&body, le, x)
		}
	}
	w(miUINT32, 8, uint32(ClassDouble), 0) // array flags
	w(miINT32, 8, uint32(n), 1)            // dimensions n×1
	w(miINT8|1<<16, 'x')                   // name "x" (small element)
	w(miINT8, uint32(n))                   // real part: n int8 values
	body.Write(make([]byte, n+int(pad8(int64(n)))))
	binary.Write(&b, le, uint32(miMATRIX))
	binary.Write(&b, le, uint32(body.Len()))
	b.Write(body.Bytes())
	return b.Bytes()
}

// TestDecodeBudget: values are decoded to float64, so a variable stored in a small
// type expands 8×; the variable's limit bounds the decoded size, not only the stored one.
func TestDecodeBudget(t *testing.T) {
	data := int8AsDouble(1 << 20) // 1 MiB stored, 8 MiB decoded
	if _, err := ReadWithOptions(bytes.NewReader(data), int64(len(data)), &ReadOptions{MaxVariableBytes: 16 << 20}); err != nil {
		t.Fatalf("within the limit: %v", err)
	}
	var err error
	memcap.Check(t, 8<<20, func() {
		_, err = ReadWithOptions(bytes.NewReader(data), int64(len(data)), &ReadOptions{MaxVariableBytes: 4 << 20})
	})
	if err == nil || !strings.Contains(err.Error(), "decode to more than") || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
}
