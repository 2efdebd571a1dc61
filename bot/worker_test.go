package bot

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

func TestDeadWorker(t *testing.T) {
	self := workerID()
	host, _ := os.Hostname()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	deadPID := strconv.Itoa(gone.Process.Pid) // exited and reaped
	cases := map[string]bool{
		self: false,
		host + ":" + strconv.Itoa(os.Getpid()) + ":00000000": true, // an earlier process with our PID
		host + ":" + deadPID + ":abcd":                       true,
		host + ":" + strconv.Itoa(os.Getppid()) + ":abcd":    false, // our parent runs
		"other-host:" + deadPID + ":abcd":                    false, // another host: wait for the lease
		"garbage":                                            false,
	}
	for w, want := range cases {
		if got := deadWorker(self, w); got != want {
			t.Errorf("deadWorker(%q) = %v, want %v", w, got, want)
		}
	}
}
