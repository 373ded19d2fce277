package modes

import (
	"errors"
	"fmt"
	"io"

	"aced/config"
	"aced/grammar"
)

// Checkpoints: named snapshots of the running-config text (at most 10,
// names up to 25 characters; the backend stores them and enforces the
// count). A rollback parses the snapshot into a fresh config and replaces
// the running-config with it in one commit.

const maxCheckpointName = 25

// errCheckpointName is refused before the backend sees the name.
var errCheckpointName = errors.New("checkpoint name must be 1-25 characters")

func (t *Tree) buildCheckpoint() {
	m := t.exec
	help := []string{"NAME", "Checkpoint name (up to 25 characters)"}
	m.run("checkpoint create NAME", false, checkpointCreate, help...)
	m.run("checkpoint rollback NAME", false, checkpointRollback, help...)
	m.run("checkpoint delete NAME", false, checkpointDelete, help...)
	m.run("show checkpoint all", true, showCheckpoints, "checkpoint", "Show configuration checkpoints")
	m.run("show checkpoint detail NAME", true, showCheckpoint, append([]string{"checkpoint", "Show configuration checkpoints"}, help...)...)
}

func checkpointArg(a grammar.Args) (string, error) {
	name := a.Str("NAME")
	if len(name) > maxCheckpointName {
		return "", fmt.Errorf("%w, not %d", errCheckpointName, len(name))
	}
	return name, nil
}

func checkpointCreate(s *Session, a grammar.Args, w io.Writer) error {
	name, err := checkpointArg(a)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, generating)
	return s.eng.b.CheckpointSave(name, config.Render(s.eng.b.Running()))
}

func checkpointRollback(s *Session, a grammar.Args, w io.Writer) error {
	name, err := checkpointArg(a)
	if err != nil {
		return err
	}
	text, _, err := s.eng.b.CheckpointLoad(name)
	if err != nil {
		return err
	}
	c := config.New()
	c.Context = s.eng.b.Running().Context
	if errs := s.tree.Load(text, c); len(errs) > 0 {
		return fmt.Errorf("checkpoint %s cannot be applied: %w", name, errs[0])
	}
	if err := s.eng.b.Replace(c); err != nil {
		return err
	}
	fmt.Fprintln(w, "Rollback succeeded")
	return nil
}

func checkpointDelete(s *Session, a grammar.Args, _ io.Writer) error {
	name, err := checkpointArg(a)
	if err != nil {
		return err
	}
	return s.eng.b.CheckpointDelete(name)
}

func showCheckpoints(s *Session, _ grammar.Args, w io.Writer) error {
	list, err := s.eng.b.CheckpointList()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-25s  %-19s  %s\n", "Checkpoint", "Created", "Size")
	for _, cp := range list {
		fmt.Fprintf(w, "%-25s  %-19s  %d\n", cp.Name, cp.Created.Format("2006-01-02 15:04:05"), cp.Size)
	}
	return nil
}

func showCheckpoint(s *Session, a grammar.Args, w io.Writer) error {
	name, err := checkpointArg(a)
	if err != nil {
		return err
	}
	text, created, err := s.eng.b.CheckpointLoad(name)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Checkpoint name : %s\nCreated         : %s\nSize            : %d\n\n%s",
		name, created.Format("2006-01-02 15:04:05"), len(text), text)
	return nil
}
