//go:build !unix

package retrieval

import (
	"errors"
	"io"
	"os"
	"unsafe"
)

// mapFile reads the file at path into memory aligned for any array a
// snapshot holds (where mmap is not at hand).
func mapFile(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if size <= 0 || size > 1<<31 {
		return nil, nil, errors.New("empty or over 2 GB")
	}
	words := make([]uint64, (size+7)/8)
	data := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, nil, err
	}
	return data, func() {}, nil
}
