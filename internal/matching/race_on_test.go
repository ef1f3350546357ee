//go:build race

package matching

// raceEnabled is true under -race; slow informational measurements are skipped.
const raceEnabled = true
