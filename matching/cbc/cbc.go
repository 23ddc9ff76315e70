// Package cbc solves a matching.Problem with COIN-OR CBC (Debian package
// coinor-cbc), to check the engine's exact assignment against an
// independent MILP solver. It writes the problem as an LP file, runs the
// cbc binary and reads back the solution.
package cbc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"talentloop/matching"
)

// ErrNotInstalled is returned by Find when no cbc binary is on PATH.
var ErrNotInstalled = errors.New("cbc: no cbc binary on PATH (install the coinor-cbc package)")

// Find returns the path of the cbc binary on PATH.
func Find() (string, error) {
	p, err := exec.LookPath("cbc")
	if err != nil {
		return "", ErrNotInstalled
	}
	return p, nil
}

// Result is CBC's answer for one problem.
type Result struct {
	// Status is CBC's first solution line, e.g. "Optimal".
	Status string
	// Objective is CBC's optimum, in the problem's own (maximised) terms.
	Objective int64
	// Edges are the edges CBC chose, so callers can check feasibility.
	Edges []int32
	// WriteTime is spent writing the LP file; Wall is the cbc process,
	// reading included; SolveTime is the time CBC reports for its solve.
	WriteTime time.Duration
	Wall      time.Duration
	SolveTime time.Duration
	// LPBytes is the size of the LP file.
	LPBytes int64
}

var (
	objLine   = regexp.MustCompile(`^(.*?)\s*-\s*objective value\s+(\S+)`)
	solveTime = regexp.MustCompile(`Time \(Wallclock seconds\):\s+([0-9.]+)`)
	varName   = regexp.MustCompile(`^x(\d+)$`)
)

// Solve writes p to an LP file in dir (a temporary directory if dir is
// ""), runs the cbc binary at bin on it and parses the solution.
func Solve(ctx context.Context, bin string, p *matching.Problem, dir string) (*Result, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "talentloop-cbc-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	lpPath := filepath.Join(dir, "assign.lp")
	solPath := filepath.Join(dir, "assign.sol")
	res := &Result{}
	start := time.Now()
	f, err := os.Create(lpPath)
	if err != nil {
		return nil, err
	}
	if err := matching.WriteLP(f, p); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	res.WriteTime = time.Since(start)
	if st, err := os.Stat(lpPath); err == nil {
		res.LPBytes = st.Size()
	}
	start = time.Now()
	cmd := exec.CommandContext(ctx, bin, lpPath, "solve", "solu", solPath)
	out, err := cmd.CombinedOutput()
	res.Wall = time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("cbc: %v: %s", err, tail(out))
	}
	if m := solveTime.FindSubmatch(out); m != nil {
		if s, err := strconv.ParseFloat(string(m[1]), 64); err == nil {
			res.SolveTime = time.Duration(s * float64(time.Second))
		}
	}
	if err := res.readSolution(solPath); err != nil {
		return nil, fmt.Errorf("%v; cbc said: %s", err, tail(out))
	}
	return res, nil
}

func (r *Result) readSolution(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cbc: no solution file: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	if !sc.Scan() {
		return errors.New("cbc: empty solution file")
	}
	m := objLine.FindStringSubmatch(sc.Text())
	if m == nil {
		return fmt.Errorf("cbc: unexpected first solution line %q", sc.Text())
	}
	r.Status = strings.TrimSpace(m[1])
	obj, err := strconv.ParseFloat(m[2], 64)
	if err != nil {
		return fmt.Errorf("cbc: objective %q: %v", m[2], err)
	}
	r.Objective = int64(math.Round(obj))
	for sc.Scan() {
		// "      0 x12                     1                    8010"
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 {
			continue
		}
		name := fs[1]
		if fs[0] == "**" && len(fs) >= 4 { // infeasibility marker
			name = fs[2]
			fs = fs[1:]
		}
		vm := varName.FindStringSubmatch(name)
		if vm == nil {
			continue
		}
		v, err := strconv.ParseFloat(fs[2], 64)
		if err != nil || math.Round(v) != 1 {
			continue
		}
		e, _ := strconv.Atoi(vm[1])
		r.Edges = append(r.Edges, int32(e))
	}
	return sc.Err()
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 600 {
		s = "…" + s[len(s)-600:]
	}
	return s
}
