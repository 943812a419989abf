package main

import (
	"context"
	"fmt"
)

// searchCommand is being built (see the open issues); until then it says so.
func searchCommand() command {
	return command{
		name:    "search",
		summary: "rank paragraphs for a query",
		usage:   "Usage: declbot search",
		run: func(_ context.Context, a *app, _ []string) int {
			fmt.Fprintln(a.stderr, "declbot search: not available in this build yet")
			return exitFail
		},
	}
}
