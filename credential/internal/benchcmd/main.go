// Command benchcmd runs the credential benchmark until the product wires
// credbench.Main as `talentloop bench credential`:
//
//	go run ./credential/internal/benchcmd --seconds 5 --node-dir interop
package main

import (
	"os"

	"talentloop/credential/credbench"
)

func main() { os.Exit(credbench.Main(os.Args[1:], os.Stdout, os.Stderr)) }
