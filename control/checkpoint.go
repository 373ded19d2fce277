package control

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"time"

	"aced/status"
)

const (
	checkpointDir = "checkpoints"
	// MaxCheckpoints is ACE's per-context limit.
	MaxCheckpoints = 10
)

// ACE limits checkpoint names to 25 characters; the charset keeps them safe
// as file names.
var checkpointName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,25}$`)

// Checkpoint errors.
var (
	ErrCheckpointName  = errors.New("checkpoint name must be 1-25 characters of letters, digits, '_', '.', '-'")
	ErrCheckpointLimit = fmt.Errorf("maximum number of checkpoints (%d) reached", MaxCheckpoints)
	ErrNoCheckpoint    = errors.New("checkpoint does not exist")
	ErrCheckpointExist = errors.New("checkpoint already exists")
)

func checkpointPath(name string) string { return checkpointDir + "/" + name }

// CheckpointSave stores text under name; it refuses to overwrite.
func (c *Control) CheckpointSave(name, text string) error {
	if !checkpointName.MatchString(name) || name[0] == '.' {
		return ErrCheckpointName
	}
	c.mu.Lock() // keeps the count check and the write together
	defer c.mu.Unlock()
	list, err := c.store.list(checkpointDir)
	if err != nil {
		return err
	}
	for _, f := range list {
		if f.name == name {
			return ErrCheckpointExist
		}
	}
	if len(list) >= MaxCheckpoints {
		return ErrCheckpointLimit
	}
	return c.store.write(checkpointPath(name), []byte(text))
}

// CheckpointLoad returns a checkpoint's text and creation time.
func (c *Control) CheckpointLoad(name string) (string, time.Time, error) {
	if !checkpointName.MatchString(name) {
		return "", time.Time{}, ErrNoCheckpoint
	}
	list, err := c.store.list(checkpointDir)
	if err != nil {
		return "", time.Time{}, err
	}
	for _, f := range list {
		if f.name == name {
			b, err := c.store.read(checkpointPath(name))
			return string(b), f.modTime, err
		}
	}
	return "", time.Time{}, ErrNoCheckpoint
}

// CheckpointDelete removes a checkpoint.
func (c *Control) CheckpointDelete(name string) error {
	if !checkpointName.MatchString(name) {
		return ErrNoCheckpoint
	}
	err := c.store.remove(checkpointPath(name))
	if errors.Is(err, errNoFile) {
		return ErrNoCheckpoint
	}
	return err
}

// CheckpointList lists checkpoints, oldest first.
func (c *Control) CheckpointList() ([]status.CheckpointInfo, error) {
	list, err := c.store.list(checkpointDir)
	if err != nil {
		return nil, err
	}
	out := make([]status.CheckpointInfo, 0, len(list))
	for _, f := range list {
		out = append(out, status.CheckpointInfo{Name: f.name, Created: f.modTime, Size: f.size})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}
