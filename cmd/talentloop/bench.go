package main

import (
	"context"
	"fmt"
	"io"

	"talentloop/credential/credbench"
	"talentloop/matching/matchbench"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "Usage: talentloop bench matching|credential [flags]   (--help after the name lists its flags)")
		return exitCode(2)
	}
	var code int
	switch args[0] {
	case "matching":
		code = matchbench.Main(args[1:], stdout, stderr)
	case "credential":
		code = credbench.Main(args[1:], stdout, stderr)
	default:
		return fmt.Errorf("unknown benchmark %q (matching, credential)", args[0])
	}
	if code != 0 {
		return exitCode(code)
	}
	return nil
}
