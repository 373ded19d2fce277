package modes

import (
	"time"

	"aced/config"
	"aced/status"
)

// Backend is what the command tree needs from the rest of the appliance.
// cmd/aced wires it to control; tests use control too (it is in-memory
// unless given a state directory).
type Backend interface {
	// Running is the current running-config. It is immutable: never modify it.
	Running() *config.Config
	// Apply runs edit on a fresh clone of the running-config under the
	// commit lock, validates the result and publishes it. If edit or
	// validation fails, nothing changes and the error is returned.
	// Concurrent sessions therefore never lose each other's updates.
	Apply(edit func(c *config.Config) error) error
	// Replace validates c and publishes it as the whole running-config
	// (checkpoint rollback, copy startup-config running-config).
	Replace(c *config.Config) error

	// SaveStartup writes the rendered running-config as startup-config
	// (atomically) and returns the text written.
	SaveStartup() (string, error)
	// StartupText returns the saved startup-config ("" if none).
	StartupText() (string, error)

	// Checkpoints are named rendered configs (at most 10).
	CheckpointSave(name, text string) error
	CheckpointLoad(name string) (text string, created time.Time, err error)
	CheckpointDelete(name string) error
	CheckpointList() ([]CheckpointInfo, error)
}

// CheckpointInfo describes a stored checkpoint.
type CheckpointInfo = status.CheckpointInfo
