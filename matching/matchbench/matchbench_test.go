package matchbench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestMainTinyJSON runs the whole benchmark on a tiny configuration and
// checks the JSON report carries the promised keys.
func TestMainTinyJSON(t *testing.T) {
	var out, errs bytes.Buffer
	args := []string{"--json", "--learners", "3000", "--demands", "300", "--queries", "50", "--ndcg-demands", "10",
		"--assign-orders", "100", "--assign-learners", "1000"}
	if code := Main(args, &out, &errs); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, errs.String())
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out.String())
	}
	for _, k := range []string{"learners", "demands", "index_bytes", "learners_for_demand_p50_ms", "learners_for_demand_p99_ms",
		"demands_for_learner_p99_ms", "assign_orders", "assign_seconds", "assign_objective", "cbc_seconds", "cbc_objective",
		"greedy_objective", "distinct_learners_assigned", "greedy_distinct_learners_assigned", "newcomer_share", "ndcg_at_10"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON report lacks %q", k)
		}
	}
	if m["learners"].(float64) != 3000 {
		t.Errorf("learners got %v, want 3000", m["learners"])
	}
	if !strings.Contains(errs.String(), "building the index") {
		t.Errorf("no progress on stderr:\n%s", errs.String())
	}
}

func TestMainRejectsBadFlags(t *testing.T) {
	var out, errs bytes.Buffer
	if code := Main([]string{"--learners", "-5"}, &out, &errs); code != 2 {
		t.Fatalf("exit code got %d, want 2", code)
	}
	if code := Main([]string{"--frobnicate"}, &out, &errs); code != 2 {
		t.Fatalf("exit code got %d, want 2", code)
	}
}
