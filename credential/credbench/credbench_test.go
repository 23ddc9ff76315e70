package credbench

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSmoke runs a very short benchmark: it must succeed and print the
// table (or the JSON report); its numbers are not checked.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("benchmark smoke run")
	}
	var out, errOut bytes.Buffer
	if code := Main([]string{"--seconds", "0.1", "--node-dir", ""}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"verify (signature + status)", "issue (build + sign)", "Node column skipped"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := Main([]string{"--seconds", "0.1", "--json", "--node-dir", filepath.Join(t.TempDir(), "none")}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.VerifyPerSecond <= 0 || rep.IssuePerSecond <= 0 || rep.NodeSkipped == "" {
		t.Errorf("got %+v", rep)
	}
}

// TestWithNode runs the comparison when interop/ has its node_modules.
func TestWithNode(t *testing.T) {
	dir := filepath.Join("..", "..", "interop")
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil || testing.Short() {
		t.Skip("interop/node_modules missing (run interop/run.sh)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	var out, errOut bytes.Buffer
	if code := Main([]string{"--seconds", "0.2", "--json", "--node-dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.NodeSkipped != "" || rep.NodeVerifyPerSecond <= 0 || rep.Ratio <= 0 {
		t.Errorf("got %+v", rep)
	}
}
