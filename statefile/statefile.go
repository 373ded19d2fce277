// Package statefile writes the files aced keeps in its state directory
// (startup-config, checkpoints, SSH host keys, the SNMP engine state) so
// that a crash or power loss at any instant leaves either the old file or
// the complete new one, never a torn mix.
package statefile

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteAtomic replaces path with data: a temp file in the same directory,
// written and fsynced, renamed over path, then the directory fsynced so the
// rename itself survives a power loss. The temp name starts with a dot so
// directory listings can tell leftovers of an interrupted write.
func WriteAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}
