//go:build unix

package retrieval

import "syscall"

// mapFile maps the file at path read-only into memory and returns its
// bytes and the function that unmaps them. A snapshot is never changed in
// place (a new one is renamed over it), so the mapping stays what was
// checked.
func mapFile(path string) ([]byte, func(), error) {
	f, size, err := openSnapshotFile(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() { syscall.Munmap(data) }, nil
}
