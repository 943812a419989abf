// Command declbot answers questions about the Tianjin Declaration of the SCO
// Council of Heads of State (1 September 2025), citing the paragraphs that
// support each claim.
//
// One binary, several subcommands; run "declbot help" for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
)

// Exit statuses: 0 success, 1 the work failed, 2 the input was wrong (bad
// flag, unknown paragraph ID, missing configuration).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// app is what every subcommand runs with: its streams and environment. Tests
// build one with buffers and a fake environment.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// getenv reads configuration; os.Getenv in production.
	getenv func(string) string
	// corpusDir is --corpus, which every command takes: packs to load
	// besides the built-in texts (default CORPUS_DIR).
	corpusDir string
	// oneShot is set while a command that answers once and exits runs
	// (oneShot): its index maps its snapshots (newIndex).
	oneShot bool
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	// usage is the synopsis and an example, printed by "declbot CMD -h".
	usage string
	run   func(ctx context.Context, a *app, args []string) int
}

// commands lists the subcommands in the order "declbot help" shows them.
func commands() []command {
	return []command{
		askCommand(),
		chatCommand(),
		citeCommand(),
		searchCommand(),
		corpusCommand(),
		evalCommand(),
		enrichCommand(),
		importCommand(),
		reviewCommand(),
		serveCommand(),
	}
}

func main() {
	if len(os.Args) > 1 && oneShot[os.Args[1]] && os.Getenv("GOGC") == "" {
		// A one-shot command loads the corpus, opens the index, answers
		// and exits in a few tens of milliseconds with a live heap of a
		// few megabytes: collecting it at the default 100% repeats
		// work the exit discards. (An explicit GOGC still rules.)
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if err := loadDotEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "declbot:", err)
		os.Exit(exitUsage)
	}
	code := a.main(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// oneShot are the commands that answer once and exit.
var oneShot = map[string]bool{"ask": true, "search": true, "cite": true, "corpus": true}

func (a *app) main(ctx context.Context, args []string) int {
	a.stderr = redactSecrets(a.stderr, a.getenv)
	if len(args) == 0 {
		a.help(a.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := lookupCommand(args[1]); ok {
				return c.run(ctx, a, []string{"-h"})
			}
		}
		a.help(a.stdout)
		return exitOK
	case "version", "--version":
		fmt.Fprintln(a.stdout, "declbot", version())
		return exitOK
	}
	c, ok := lookupCommand(name)
	if !ok {
		fmt.Fprintf(a.stderr, "declbot: unknown command %q\n\n", name)
		a.help(a.stderr)
		return exitUsage
	}
	a.oneShot = oneShot[name]
	return c.run(ctx, a, args[1:])
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func (a *app) help(w io.Writer) {
	fmt.Fprint(w, `declbot answers questions about the Tianjin Declaration of the SCO Council of
Heads of State (1 September 2025) and the two statements issued with it,
citing the paragraph behind every claim.

Usage: declbot COMMAND [flags] [arguments]

Commands:
`)
	cmds := commands()
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.name))
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "declbot help COMMAND" or "declbot COMMAND -h" for a command's flags and
examples. Paragraph IDs: 2.36 is section 二, paragraph 36 of the declaration;
0.1 is its opening paragraph, 5.8 the signatures; T1-T18 and W1-W13 are the
statements on the multilateral trading system and on the 80th anniversary of
the Second World War victory and the UN.
`)
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints the command's usage and flags on -h.
func newFlagSet(a *app, c command) *flag.FlagSet {
	fs := flag.NewFlagSet("declbot "+c.name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.StringVar(&a.corpusDir, "corpus", "", "also load the document packs in `DIR` (default: $CORPUS_DIR; see docs/PACKS.md)")
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "%s\n\n%s\n", c.summary, strings.TrimSpace(c.usage))
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if len(names) > 0 {
			sort.Strings(names)
			fmt.Fprintln(out, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args with fs. With interspersed, flags may follow
// positional arguments ("cite 2.36 --script hant"); otherwise parsing stops
// at the first argument that is not a flag, so that a question may contain
// words that start with '-'. It returns the positional arguments, or a
// status to exit with (exitOK after -h).
func parseFlags(a *app, fs *flag.FlagSet, args []string, interspersed bool) ([]string, int, bool) {
	var pos []string
	for {
		// The flag package prints the usage itself on -h and on errors;
		// here -h prints it once, to stdout, and an error prints only the
		// error and where to find the usage.
		usage := fs.Usage
		fs.Usage = func() {}
		err := fs.Parse(args)
		fs.Usage = usage
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(a.stdout)
				fs.Usage()
				return nil, exitOK, false
			}
			fmt.Fprintf(a.stderr, "Run '%s -h' for its flags and examples.\n", fs.Name())
			return nil, exitUsage, false
		}
		args = fs.Args()
		if !interspersed || len(args) == 0 {
			return append(pos, args...), 0, true
		}
		// Keep everything after an explicit "--" as positional.
		if len(args) > 0 && args[0] == "--" {
			return append(pos, args[1:]...), 0, true
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// version reports the module version or the VCS revision the binary was
// built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}
