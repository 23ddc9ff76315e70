// Command fixturegen issues test credentials for the interop tests in
// interop/: a fresh certificate, a tampered copy, a revoked one and a
// suspended one, with their status list credentials.
//
//	go run ./credential/internal/fixturegen -out DIR
//	go run ./credential/internal/fixturegen -serve 127.0.0.1:0 [-out DIR]
//
// With -out it writes the files to DIR. With -serve it also serves them
// over HTTP on ADDR (loopback), so that verifiers resolve the status lists
// as they would on the web, and prints "READY <base URL>" once it listens.
// Routes: /credentials/{fresh,tampered,revoked,suspended}.json and
// /status/{revocation,suspension}/1. It stops when its standard input
// closes or on SIGINT/SIGTERM.
//
// When the product API exists, the interop test can fetch credentials from
// it instead: it only needs these URLs.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"talentloop/credential"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fixturegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the fixtures to this directory")
	serve := fs.String("serve", "", "serve the fixtures on this loopback address (e.g. 127.0.0.1:0)")
	base := fs.String("base", "http://127.0.0.1:8080", "base URL of the status lists when not serving")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" && *serve == "" {
		fmt.Fprintln(stderr, "fixturegen: give -out DIR and/or -serve ADDR")
		return 2
	}
	var ln net.Listener
	if *serve != "" {
		var err error
		if ln, err = net.Listen("tcp", *serve); err != nil {
			fmt.Fprintln(stderr, "fixturegen:", err)
			return 1
		}
		if !ln.Addr().(*net.TCPAddr).IP.IsLoopback() {
			fmt.Fprintln(stderr, "fixturegen: -serve must be a loopback address")
			return 2
		}
		*base = "http://" + ln.Addr().String()
	}
	files, err := Generate(*base, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "fixturegen:", err)
		return 1
	}
	if *out != "" {
		for name, b := range files {
			path := filepath.Join(*out, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				fmt.Fprintln(stderr, "fixturegen:", err)
				return 1
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				fmt.Fprintln(stderr, "fixturegen:", err)
				return 1
			}
		}
	}
	if ln == nil {
		return 0
	}
	mux := http.NewServeMux()
	for name, b := range files {
		body := b
		route := "/" + strings.TrimSuffix(name, ".json")
		if strings.HasPrefix(name, "credentials/") {
			route = "/" + name
		}
		mux.HandleFunc("GET "+route, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		})
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(stdout, "READY %s\n", *base)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop <- syscall.SIGTERM
	}()
	<-stop
	srv.Close()
	return 0
}

// Generate issues the fixtures with status lists under base and returns
// them by relative path: credentials/*.json and status/*/1.json.
func Generate(base string, now time.Time) (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "fixturegen-keys-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ks, err := credential.OpenKeystore(dir, nil)
	if err != nil {
		return nil, err
	}
	id, err := credential.NewIdentity(ks, "")
	if err != nil {
		return nil, err
	}
	rev, err := credential.NewStatusList(base+"/status/revocation/1", id.DID(), credential.Revocation, 0)
	if err != nil {
		return nil, err
	}
	sus, err := credential.NewStatusList(base+"/status/suspension/1", id.DID(), credential.Suspension, 0)
	if err != nil {
		return nil, err
	}
	issue := func(n int) ([]byte, int, int, error) {
		ri, err := rev.Allocate(nil)
		if err != nil {
			return nil, 0, 0, err
		}
		si, err := sus.Allocate(nil)
		if err != nil {
			return nil, 0, 0, err
		}
		vc, err := credential.BuildOpenBadge(SampleParams(id.DID(), n, now, rev.Entry(ri), sus.Entry(si)))
		if err != nil {
			return nil, 0, 0, err
		}
		b, err := credential.Sign(vc, id.Signer(), now)
		return b, ri, si, err
	}
	files := map[string][]byte{}
	fresh, _, _, err := issue(1)
	if err != nil {
		return nil, err
	}
	files["credentials/fresh.json"] = fresh
	var m map[string]any
	if err := json.Unmarshal(fresh, &m); err != nil {
		return nil, err
	}
	m["name"] = m["name"].(string) + " (with honours)"
	if files["credentials/tampered.json"], err = json.Marshal(m); err != nil {
		return nil, err
	}
	revoked, ri, _, err := issue(2)
	if err != nil {
		return nil, err
	}
	files["credentials/revoked.json"] = revoked
	if err := rev.Set(ri, true); err != nil {
		return nil, err
	}
	suspended, _, si, err := issue(3)
	if err != nil {
		return nil, err
	}
	files["credentials/suspended.json"] = suspended
	if err := sus.Set(si, true); err != nil {
		return nil, err
	}
	for name, l := range map[string]*credential.StatusList{"status/revocation/1.json": rev, "status/suspension/1.json": sus} {
		if files[name], err = l.SignedCredential(id, now); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// SampleParams describes a realistic certificate of a Go back-end program.
func SampleParams(issuerDID string, n int, now time.Time, status ...credential.StatusEntry) credential.OpenBadgeParams {
	return credential.OpenBadgeParams{
		ID:          fmt.Sprintf("https://talentloop.example/verify/%d", n),
		Issuer:      credential.Issuer{ID: issuerDID, Name: "talentloop 数字技能学院", URL: "https://talentloop.example"},
		ValidFrom:   now,
		ValidUntil:  now.AddDate(3, 0, 0),
		HolderEmail: fmt.Sprintf("learner%d@example.com", n),
		Achievement: credential.AchievementParams{
			ID:                "https://talentloop.example/programs/go-backend",
			Name:              "Go 后端开发微专业",
			Description:       "Designs, builds and operates production Go services on real company projects.",
			CriteriaNarrative: "Complete the four required courses and score at least 80/100 on two real projects reviewed by partner engineers.",
			FieldOfStudy:      "Software engineering",
			Alignments: []credential.Alignment{
				{TargetName: "Go programming", TargetURL: "https://talentloop.example/skills/go", TargetType: credential.AlignSkill, TargetFramework: "talentloop skills"},
				{TargetName: "SQL databases", TargetURL: "https://talentloop.example/skills/sql", TargetType: credential.AlignSkill, TargetFramework: "talentloop skills"},
				{TargetName: "软件开发工程技术人员", TargetURL: "https://talentloop.example/occupations/2-02-10-03", TargetFramework: "职业分类大典 2022", TargetCode: "2-02-10-03", TargetType: credential.AlignOccupation},
			},
		},
		Evidence: []credential.Evidence{
			{ID: fmt.Sprintf("https://talentloop.example/submissions/%d01", n), Name: "Order service for a partner e-commerce team", Narrative: "Reviewed by a partner engineer: 92/100.", Genre: "Real project"},
			{ID: fmt.Sprintf("https://talentloop.example/submissions/%d02", n), Name: "Load test and tuning report", Narrative: "Reviewed by a partner engineer: 85/100.", Genre: "Real project"},
		},
		Status: status,
	}
}
