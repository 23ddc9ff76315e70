package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"talentloop/web"
	"testing"
)

// TestOpenAPIMatchesRoutes fails when an API route is missing from the
// OpenAPI document or the document lists a route the server lacks.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t, "sqlite")
	status, doc := f.api("GET", "/api/v1/openapi.json", "", nil)
	if status != 200 || doc["openapi"] != "3.1.0" {
		t.Fatalf("GET openapi.json: %d, openapi=%v", status, doc["openapi"])
	}
	documented := map[string]bool{}
	for path, ops := range doc["paths"].(map[string]any) {
		for method, op := range ops.(map[string]any) {
			documented[strings.ToUpper(method)+" "+path] = true
			if op.(map[string]any)["responses"] == nil {
				t.Errorf("%s %s documents no responses", method, path)
			}
		}
	}
	served := map[string]bool{}
	for _, rt := range f.srv.Routes() {
		if !rt.API {
			continue
		}
		key := rt.Method + " " + rt.Pattern
		served[key] = true
		if !documented[key] {
			t.Errorf("route %s is not in the OpenAPI document", key)
		}
	}
	for key := range documented {
		if !served[key] {
			t.Errorf("the OpenAPI document lists %s, which the server does not serve", key)
		}
	}
	// Every schema reference resolves.
	raw, _ := json.Marshal(doc)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, m := range regexp.MustCompile(`#/components/schemas/(\w+)`).FindAllStringSubmatch(string(raw), -1) {
		if schemas[m[1]] == nil {
			t.Errorf("dangling schema reference %s", m[1])
		}
	}
}

// TestEveryMessageIsTranslated finds every message key the templates and the
// Go code use and checks it has both a Chinese and an English text.
func TestEveryMessageIsTranslated(t *testing.T) {
	keyRE := regexp.MustCompile(`"((?:err|flash|title|nav|home|loop|programs|program|course|lesson|project|rubric|skills|account|action|field|hint|dash|users|companies|search|pager|price|brand|footer|register|login|status|level|role|chain|user)\.[a-z0-9_-]+)"`)
	var files []string
	for _, glob := range []string{"templates/*.html", "*.go", "../*.go", "../sqldb/*.go", "../demo/*.go"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	used := map[string]string{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") || strings.HasSuffix(file, "messages.go") {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = file
		}
	}
	// Keys built at run time from a fixed set.
	for _, k := range []string{"role.learner", "role.instructor", "role.partner", "role.counsellor", "role.operator", "chain.it", "chain.games", "chain.visual-art",
		"chain.sound", "chain.live-streaming", "level.beginner", "level.intermediate", "level.advanced", "status.draft", "status.published"} {
		used[k] = "dynamic"
	}
	if len(used) < 150 {
		t.Fatalf("found only %d message keys; the scan is broken", len(used))
	}
	for key, file := range used {
		zh, en := web.Translations(key)
		if zh == "" || en == "" {
			t.Errorf("message %q (used in %s) lacks a translation: zh=%q en=%q", key, file, zh, en)
		}
		if zh == key {
			t.Errorf("message %q (used in %s) is not defined", key, file)
		}
	}
}
