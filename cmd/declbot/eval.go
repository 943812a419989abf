package main

import (
	"context"
	"fmt"
)

// evalCommand is being built (see the open issues); until then it says so.
func evalCommand() command {
	return command{
		name:    "eval",
		summary: "measure retrieval and answers on the golden suite",
		usage:   "Usage: declbot eval",
		run: func(_ context.Context, a *app, _ []string) int {
			fmt.Fprintln(a.stderr, "declbot eval: not available in this build yet")
			return exitFail
		},
	}
}
