package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned by WriteNew when the target is already there.
var ErrExists = errors.New("already exists")

// Encode returns pack.json and passages.jsonl as they are written.
func (p *Pack) Encode() (packJSON, passagesJSONL []byte, err error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p.Meta); err != nil {
		return nil, nil, fmt.Errorf("encode pack.json: %w", err)
	}
	packJSON = append([]byte(nil), b.Bytes()...)
	b.Reset()
	enc = json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, ps := range p.Passages {
		if err := enc.Encode(ps); err != nil {
			return nil, nil, fmt.Errorf("encode passage %s: %w", ps.ID, err)
		}
	}
	return packJSON, b.Bytes(), nil
}

// WriteNew writes the pack as the new directory target, all or nothing: the
// files are written and synced in a hidden temporary directory next to
// target (so on the same file system), which is then renamed to target. An
// existing target is never touched (ErrExists); on any failure the
// temporary directory is removed. The parent directory is created if
// missing (a first import into a new CORPUS_DIR).
func (p *Pack) WriteNew(target string) (err error) {
	packJSON, passages, err := p.Encode()
	if err != nil {
		return err
	}
	target = filepath.Clean(target)
	if _, err := os.Lstat(target); err == nil {
		return fmt.Errorf("%s: %w; choose another --id or --out, or remove it first", target, ErrExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check %s: %w", target, err)
	}
	parent := filepath.Dir(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(target)+".import-")
	if err != nil {
		return fmt.Errorf("create a temporary directory in %s: %w", parent, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	// MkdirTemp makes it 0700; a pack is as readable as any other file.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"passages.jsonl", passages}, {"pack.json", packJSON}} {
		if err := writeSynced(filepath.Join(tmp, f.name), f.data); err != nil {
			return err
		}
	}
	if d, err := os.Open(tmp); err == nil {
		d.Sync()
		d.Close()
	}
	// Renaming onto a directory that appeared since the check fails when it
	// has anything in it, so nothing of someone else's is replaced.
	if err := os.Rename(tmp, target); err != nil {
		if _, serr := os.Lstat(target); serr == nil {
			return fmt.Errorf("%s: %w", target, ErrExists)
		}
		return fmt.Errorf("move the pack into place: %w", err)
	}
	if d, err := os.Open(parent); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}
