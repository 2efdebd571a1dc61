package bot

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
)

// workerID names this process in outbox leases: host, process ID and a
// random part, so that a restarted process with the same host and process
// ID (as in a restarted container) is not mistaken for its predecessor.
func workerID() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return host + ":" + strconv.Itoa(os.Getpid()) + ":" + hex.EncodeToString(b[:])
}

// deadWorker reports whether a worker ID names a process on this host
// that no longer runs: one whose process is gone, or an earlier process
// that had our process ID. Workers on other hosts are left to their
// leases running out.
func deadWorker(self, other string) bool {
	if other == self {
		return false
	}
	sh, sp, _ := splitWorker(self)
	oh, op, ok := splitWorker(other)
	if !ok || oh != sh {
		return false
	}
	if op == sp {
		return true
	}
	return !processAlive(op)
}

func splitWorker(w string) (host string, pid int, ok bool) {
	parts := strings.Split(w, ":")
	if len(parts) != 3 {
		return "", 0, false
	}
	pid, err := strconv.Atoi(parts[1])
	return parts[0], pid, err == nil
}
