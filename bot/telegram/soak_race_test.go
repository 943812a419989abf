//go:build race

package telegram

// raceEnabled says whether the race detector is on, for the soak report.
const raceEnabled = true
