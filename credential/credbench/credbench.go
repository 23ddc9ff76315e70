// Package credbench measures the credential engine: how many certificates
// it verifies (signature and status) and issues (build and sign) per
// second, next to @digitalbazaar/vc verifying the same certificate in the
// same run (interop/bench.mjs), with the ratio. The product wires it as
// `talentloop bench credential`.
package credbench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"talentloop/credential"
)

// Report is what a run measured.
type Report struct {
	Seconds float64 `json:"seconds"`
	// One core (GOMAXPROCS=1), the comparison with Node's single thread.
	VerifyPerSecond float64 `json:"verifyPerSecond"`
	IssuePerSecond  float64 `json:"issuePerSecond"`
	// Every core.
	Cores              int     `json:"cores"`
	VerifyPerSecondAll float64 `json:"verifyPerSecondAllCores"`
	IssuePerSecondAll  float64 `json:"issuePerSecondAllCores"`
	// Node: zero with NodeSkipped set when it could not run.
	NodeVerifyPerSecond float64 `json:"nodeVerifyPerSecond,omitempty"`
	NodeVersion         string  `json:"nodeVersion,omitempty"`
	NodeSkipped         string  `json:"nodeSkipped,omitempty"`
	Ratio               float64 `json:"verifyRatio,omitempty"`
}

// Main runs the benchmark with command-line args and returns an exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench credential", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seconds := fs.Float64("seconds", 5, "duration of each measurement")
	smoke := fs.Bool("smoke", false, "a quick run for CI (0.5 s each)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	nodeDir := fs.String("node-dir", "interop", "directory of interop/bench.mjs and its node_modules (empty: skip Node)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *smoke {
		*seconds = 0.5
	}
	if *seconds <= 0 {
		fmt.Fprintln(stderr, "bench credential: --seconds must be positive")
		return 2
	}
	rep, err := Run(context.Background(), time.Duration(*seconds*float64(time.Second)), *nodeDir)
	if err != nil {
		fmt.Fprintln(stderr, "bench credential:", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
		return 0
	}
	printTable(stdout, rep)
	return 0
}

func printTable(w io.Writer, r *Report) {
	fmt.Fprintf(w, "credential engine, %.1f s per measurement\n\n", r.Seconds)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tGo, 1 core\tNode @digitalbazaar/vc, 1 thread\tratio\t")
	node, ratio := "-", "-"
	if r.NodeSkipped == "" {
		node = fmt.Sprintf("%.0f /s", r.NodeVerifyPerSecond)
		ratio = fmt.Sprintf("%.1f×", r.Ratio)
	}
	fmt.Fprintf(tw, "verify (signature + status)\t%.0f /s\t%s\t%s\t\n", r.VerifyPerSecond, node, ratio)
	fmt.Fprintf(tw, "issue (build + sign)\t%.0f /s\t-\t-\t\n", r.IssuePerSecond)
	tw.Flush()
	fmt.Fprintf(w, "\nGo on %d cores: verify %.0f /s, issue %.0f /s\n", r.Cores, r.VerifyPerSecondAll, r.IssuePerSecondAll)
	if r.NodeSkipped != "" {
		fmt.Fprintf(w, "Node column skipped: %s\n", r.NodeSkipped)
	} else {
		fmt.Fprintf(w, "Node %s\n", r.NodeVersion)
	}
}

// setup is an issuer with status lists and one signed certificate.
type setup struct {
	id       *credential.Identity
	params   credential.OpenBadgeParams
	raw      []byte
	lists    map[string][]byte
	verifier *credential.Verifier
}

func newSetup(dir string) (*setup, error) {
	ks, err := credential.OpenKeystore(filepath.Join(dir, "keys"), nil)
	if err != nil {
		return nil, err
	}
	id, err := credential.NewIdentity(ks, "")
	if err != nil {
		return nil, err
	}
	now := time.Now()
	s := &setup{id: id, lists: map[string][]byte{}}
	var status []credential.StatusEntry
	for _, purpose := range []credential.StatusPurpose{credential.Revocation, credential.Suspension} {
		l, err := credential.NewStatusList("https://talentloop.example/status/"+string(purpose)+"/1", id.DID(), purpose, 0)
		if err != nil {
			return nil, err
		}
		for range 1000 { // a list in use
			i, err := l.Allocate(nil)
			if err != nil {
				return nil, err
			}
			if i%7 == 0 {
				l.Set(i, true)
			}
		}
		i, err := l.Allocate(nil)
		if err != nil {
			return nil, err
		}
		status = append(status, l.Entry(i))
		if s.lists[l.ID], err = l.SignedCredential(id, now); err != nil {
			return nil, err
		}
	}
	s.params = sampleParams(id.DID(), now, status)
	vc, err := credential.BuildOpenBadge(s.params)
	if err != nil {
		return nil, err
	}
	if s.raw, err = credential.Sign(vc, id.Signer(), now); err != nil {
		return nil, err
	}
	s.verifier = &credential.Verifier{
		Resolver: id.Resolver(),
		StatusFetcher: credential.StatusFetcherFunc(func(_ context.Context, u string) ([]byte, error) {
			b, ok := s.lists[u]
			if !ok {
				return nil, errors.New("no such list")
			}
			return b, nil
		}),
	}
	if res := s.verifier.Verify(context.Background(), s.raw); !res.Verified {
		return nil, fmt.Errorf("the benchmark credential does not verify: %+v", res.Failure())
	}
	return s, nil
}

func sampleParams(did string, now time.Time, status []credential.StatusEntry) credential.OpenBadgeParams {
	return credential.OpenBadgeParams{
		ID:          "https://talentloop.example/verify/8f1c2a",
		Issuer:      credential.Issuer{ID: did, Name: "talentloop 数字技能学院", URL: "https://talentloop.example"},
		ValidFrom:   now,
		ValidUntil:  now.AddDate(3, 0, 0),
		HolderEmail: "learner@example.com",
		Achievement: credential.AchievementParams{
			ID:                "https://talentloop.example/programs/go-backend",
			Name:              "Go 后端开发微专业",
			Description:       "Designs, builds and operates production Go services on real company projects.",
			CriteriaNarrative: "Complete the four required courses and score at least 80/100 on two real projects reviewed by partner engineers.",
			Alignments: []credential.Alignment{
				{TargetName: "Go programming", TargetURL: "https://talentloop.example/skills/go", TargetType: credential.AlignSkill},
				{TargetName: "SQL databases", TargetURL: "https://talentloop.example/skills/sql", TargetType: credential.AlignSkill},
				{TargetName: "软件开发工程技术人员", TargetURL: "https://talentloop.example/occupations/2-02-10-03", TargetFramework: "职业分类大典 2022", TargetCode: "2-02-10-03", TargetType: credential.AlignOccupation},
			},
		},
		Evidence: []credential.Evidence{
			{ID: "https://talentloop.example/submissions/101", Name: "Order service for a partner e-commerce team", Narrative: "Reviewed by a partner engineer: 92/100.", Genre: "Real project"},
			{ID: "https://talentloop.example/submissions/102", Name: "Load test and tuning report", Narrative: "Reviewed by a partner engineer: 85/100.", Genre: "Real project"},
		},
		Status: status,
	}
}

// Run measures for d per measurement. nodeDir is where interop/bench.mjs
// lives ("" skips Node).
func Run(ctx context.Context, d time.Duration, nodeDir string) (*Report, error) {
	dir, err := os.MkdirTemp("", "credbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	s, err := newSetup(dir)
	if err != nil {
		return nil, err
	}
	verifyOnce := func() error {
		if !s.verifier.Verify(ctx, s.raw).Verified {
			return errors.New("verification failed")
		}
		return nil
	}
	signer := s.id.Signer()
	issueOnce := func() error {
		vc, err := credential.BuildOpenBadge(s.params)
		if err != nil {
			return err
		}
		_, err = credential.Sign(vc, signer, time.Now())
		return err
	}
	rep := &Report{Seconds: d.Seconds(), Cores: runtime.NumCPU()}
	prev := runtime.GOMAXPROCS(1)
	rep.VerifyPerSecond, err = measure(d, 1, verifyOnce)
	if err == nil {
		rep.IssuePerSecond, err = measure(d, 1, issueOnce)
	}
	runtime.GOMAXPROCS(prev)
	if err != nil {
		return nil, err
	}
	if rep.VerifyPerSecondAll, err = measure(d, rep.Cores, verifyOnce); err != nil {
		return nil, err
	}
	if rep.IssuePerSecondAll, err = measure(d, rep.Cores, issueOnce); err != nil {
		return nil, err
	}
	if nodeDir == "" {
		rep.NodeSkipped = "no --node-dir given"
		return rep, nil
	}
	rate, version, skipped, err := runNode(ctx, dir, nodeDir, s, d)
	if err != nil {
		return nil, err
	}
	if skipped != "" {
		rep.NodeSkipped = skipped
		return rep, nil
	}
	rep.NodeVerifyPerSecond, rep.NodeVersion = rate, version
	if rate > 0 {
		rep.Ratio = rep.VerifyPerSecond / rate
	}
	return rep, nil
}

// measure runs f on workers goroutines for d after a short warm-up and
// returns calls per second.
func measure(d time.Duration, workers int, f func() error) (float64, error) {
	for range 20 {
		if err := f(); err != nil {
			return 0, err
		}
	}
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := f(); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}

func runNode(ctx context.Context, dir, nodeDir string, s *setup, d time.Duration) (rate float64, version, skipped string, err error) {
	script := filepath.Join(nodeDir, "bench.mjs")
	if _, err := os.Stat(script); err != nil {
		return 0, "", fmt.Sprintf("%s not found", script), nil
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "@digitalbazaar", "vc")); err != nil {
		return 0, "", fmt.Sprintf("%s has no node_modules: run `npm ci` there", nodeDir), nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return 0, "", "node is not installed", nil
	}
	credPath := filepath.Join(dir, "credential.json")
	if err := os.WriteFile(credPath, s.raw, 0o600); err != nil {
		return 0, "", "", err
	}
	listDir := filepath.Join(dir, "lists")
	if err := os.MkdirAll(listDir, 0o700); err != nil {
		return 0, "", "", err
	}
	for u, b := range s.lists {
		if err := os.WriteFile(filepath.Join(listDir, url.PathEscape(u)+".json"), b, 0o600); err != nil {
			return 0, "", "", err
		}
	}
	cmd := exec.CommandContext(ctx, node, "bench.mjs", "--credential", credPath, "--lists", listDir,
		"--seconds", fmt.Sprint(d.Seconds()))
	cmd.Dir = nodeDir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, "", "", fmt.Errorf("node bench.mjs: %v: %s", err, stderr.String())
	}
	var res struct {
		PerSecond float64 `json:"perSecond"`
		Node      string  `json:"node"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return 0, "", "", fmt.Errorf("node bench.mjs printed %q: %v", out, err)
	}
	return res.PerSecond, res.Node, "", nil
}
