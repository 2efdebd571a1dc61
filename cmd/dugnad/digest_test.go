package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The leader asks for the digest in the terminal; the console writes the
// file and prints where.
func TestDigestOnTheConsole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := dugnad(t, invocation{dir: dir, stdin: script("digest md", "/som ext-ffo", "digest")}, "--as", "pl-ingrid")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	m := regexp.MustCompile(`📎 (\S+\.md)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no file path printed:\n%s", r.stdout)
	}
	if filepath.Dir(m[1]) != filepath.Join(dir, "dugnad-filer") {
		t.Errorf("the digest went to %s, want it in ./dugnad-filer", m[1])
	}
	data, err := os.ReadFile(m[1])
	if err != nil || !strings.HasPrefix(string(data), "# Sammendrag av tiltaksarbeidet") {
		t.Fatalf("the file: %v\n%.200s", err, data)
	}
	if !strings.Contains(r.stdout, "Bare prosjektleder og prosjektgruppen kan bruke denne kommandoen.") {
		t.Errorf("a reference group member was not refused:\n%s", r.stdout)
	}
}

func TestDigestCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plan, err := filepath.Abs("../../examples/fjordvik.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if r := dugnad(t, invocation{dir: dir}, "plan", "import", plan); r.code != 0 {
		t.Fatalf("%v", r)
	}
	r := dugnad(t, invocation{dir: dir}, "digest", "--format", "json", "--strategy", "S3")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	var doc struct {
		Format string `json:"format"`
		Filter struct {
			Strategy string `json:"strategy"`
		} `json:"filter"`
		Goals []struct {
			Strategies []struct {
				Key string `json:"key"`
			} `json:"strategies"`
		} `json:"goals"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if doc.Format != "dugnad-digest/1" || doc.Filter.Strategy != "S3" || len(doc.Goals) != 1 || doc.Goals[0].Strategies[0].Key != "S3" {
		t.Errorf("the filtered digest: %+v", doc)
	}
	out := filepath.Join(dir, "d.xlsx")
	if r := dugnad(t, invocation{dir: dir}, "digest", "--format", "xlsx", "-o", out); r.code != 0 || r.stdout != "" {
		t.Fatalf("%v", r)
	}
	if data, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(data), "PK") {
		t.Errorf("the workbook: %v", err)
	}
	for _, bad := range [][]string{
		{"digest", "--format", "pdf"},
		{"digest", "--status", "kanskje"},
		{"digest", "--since", "igår"},
		{"digest", "--format", "csv", "--sep", ";;"},
		{"digest", "--strategy", "S99"},
	} {
		if r := dugnad(t, invocation{dir: dir}, bad...); r.code != 2 || r.stderr == "" || r.stdout != "" {
			t.Errorf("dugnad %s: %v", strings.Join(bad, " "), r)
		}
	}
}
