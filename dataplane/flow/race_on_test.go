//go:build race

package flow

// raceEnabled: the race detector multiplies the cost of every atomic, so
// the largest tables are skipped under it.
const raceEnabled = true
