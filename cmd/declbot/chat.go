package main

import (
	"context"
	"fmt"
)

// chatCommand is being built (see the open issues); until then it says so.
func chatCommand() command {
	return command{
		name:    "chat",
		summary: "ask questions interactively in the terminal",
		usage:   "Usage: declbot chat",
		run: func(_ context.Context, a *app, _ []string) int {
			fmt.Fprintln(a.stderr, "declbot chat: not available in this build yet")
			return exitFail
		},
	}
}
