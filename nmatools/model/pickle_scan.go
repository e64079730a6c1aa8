package model

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// scanPickle walks the opcodes of a pickle (protocols 0–5) without building
// anything and checks that every length an opcode declares (BINBYTES8, FRAME,
// LONG4, ...) fits in the bytes that follow it, so that an unpickler reading
// from this buffer never allocates more than len(b) bytes for one opcode
// (gopickle allocates the declared length before reading). It fails on an
// unknown opcode, a truncated argument or a pickle without STOP.
func scanPickle(b []byte) error {
	pos := 0
	need := func(op byte, at, n int) error {
		if n < 0 || n > len(b)-pos {
			return fmt.Errorf("pickle opcode 0x%02x at byte %d declares %d bytes, only %d follow (corrupt or crafted file)",
				op, at, n, len(b)-pos)
		}
		return nil
	}
	for pos < len(b) {
		at := pos
		op := b[pos]
		pos++
		var n int // bytes of argument to skip
		switch op {
		// No argument.
		case '(', '.', '0', '1', '2', 'N', 0x88, 0x89, ']', 'a', 'e', 'l', ')', 't', 0x85, 0x86, 0x87,
			'}', 'd', 's', 'u', 0x8f, 0x90, 0x91, 'b', 'R', 0x81, 0x92, 0x93, 0x94, 0x97, 0x98, 'Q', 'o':
			if op == '.' {
				return nil
			}
			continue
		// Fixed-size arguments.
		case 'K', 'h', 'q', 0x80, 0x82:
			n = 1
		case 'M', 0x83:
			n = 2
		case 'J', 'j', 'r', 0x84:
			n = 4
		case 'G':
			n = 8
		// One or two newline-terminated lines.
		case 'I', 'L', 'F', 'S', 'V', 'g', 'p', 'P', 'c', 'i':
			lines := 1
			if op == 'c' || op == 'i' {
				lines = 2
			}
			for ; lines > 0; lines-- {
				k := bytes.IndexByte(b[pos:], '\n')
				if k < 0 {
					return fmt.Errorf("pickle opcode 0x%02x at byte %d: unterminated line (truncated file?)", op, at)
				}
				pos += k + 1
			}
			continue
		// Length-prefixed data: 1-byte length.
		case 'U', 'C', 0x8c, 0x8a:
			if err := need(op, at, 1); err != nil {
				return err
			}
			n = int(b[pos])
			pos++
		// 4-byte length.
		case 'T', 'B', 'X', 0x8b:
			if err := need(op, at, 4); err != nil {
				return err
			}
			n = int(int32(binary.LittleEndian.Uint32(b[pos:])))
			if op == 'B' || op == 'X' {
				n = int(binary.LittleEndian.Uint32(b[pos:]))
			}
			pos += 4
		// 8-byte length.
		case 0x8d, 0x8e, 0x96:
			if err := need(op, at, 8); err != nil {
				return err
			}
			u := binary.LittleEndian.Uint64(b[pos:])
			pos += 8
			if u > uint64(len(b)-pos) {
				return fmt.Errorf("pickle opcode 0x%02x at byte %d declares %d bytes, only %d follow (corrupt or crafted file)",
					op, at, u, len(b)-pos)
			}
			n = int(u)
		case 0x95: // FRAME: the frame's bytes are opcodes, scanned as they come.
			if err := need(op, at, 8); err != nil {
				return err
			}
			u := binary.LittleEndian.Uint64(b[pos:])
			pos += 8
			if u > uint64(len(b)-pos) {
				return fmt.Errorf("pickle FRAME at byte %d declares %d bytes, only %d follow (corrupt or crafted file)", at, u, len(b)-pos)
			}
			continue
		default:
			return fmt.Errorf("pickle: unknown opcode 0x%02x at byte %d (corrupt file, or not a pickle)", op, at)
		}
		if err := need(op, at, n); err != nil {
			return err
		}
		pos += n
	}
	return fmt.Errorf("pickle ends after %d bytes without its STOP opcode (truncated file?)", len(b))
}
