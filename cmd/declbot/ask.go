package main

import (
	"context"
	"fmt"
)

// askCommand is being built (see the open issues); until then it says so.
func askCommand() command {
	return command{
		name:    "ask",
		summary: "answer a question, citing the paragraphs (offline by default)",
		usage:   "Usage: declbot ask",
		run: func(_ context.Context, a *app, _ []string) int {
			fmt.Fprintln(a.stderr, "declbot ask: not available in this build yet")
			return exitFail
		},
	}
}
