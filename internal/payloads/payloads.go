// Package payloads finds the real Slack and Discord payloads the fakes are
// built from: ../shared/payloads/<platform>, beside the repository checkout.
package payloads

import (
	"os"
	"path/filepath"
	"runtime"
)

// rel is shared/payloads from this package's source directory.
const rel = "../../../shared/payloads"

// Dir returns the directory of one platform's payloads ("slack",
// "discord"). It is located relative to this package's source file, so it
// works from any package's tests; if that fails (a -trimpath build, say)
// it searches upwards from the working directory for
// shared/payloads/<platform>. It returns the best guess even if the
// directory does not exist; callers that read files get the error.
func Dir(platform string) string {
	if _, file, _, ok := runtime.Caller(0); ok {
		dir := filepath.Join(filepath.Dir(file), filepath.FromSlash(rel), platform)
		if isDir(dir) {
			return dir
		}
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			cand := filepath.Join(d, "shared", "payloads", platform)
			if isDir(cand) {
				return cand
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return filepath.Join(filepath.FromSlash(rel), platform)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
