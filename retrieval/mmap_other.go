//go:build !unix

package retrieval

// mapFile reads the file (where mmap is not at hand).
func mapFile(path string) ([]byte, func(), error) { return readFile(path) }
