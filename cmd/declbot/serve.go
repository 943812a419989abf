package main

import (
	"context"
	"fmt"
)

// serveCommand is being built (see the open issues); until then it says so.
func serveCommand() command {
	return command{
		name:    "serve",
		summary: "run the Telegram bot",
		usage:   "Usage: declbot serve",
		run: func(_ context.Context, a *app, _ []string) int {
			fmt.Fprintln(a.stderr, "declbot serve: not available in this build yet")
			return exitFail
		},
	}
}
