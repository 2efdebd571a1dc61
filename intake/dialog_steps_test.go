package intake

import (
	"slices"
	"testing"

	"github.com/kommune-dugnad/dugnad/store"
)

// The store counts dialogs in progress (for /metrics) by the steps it is
// told end one; they must be this dialog's.
func TestStoreKnowsWhichDialogStepsEndADialog(t *testing.T) {
	want := []string{string(stepFinished), string(stepDeclined)}
	got := slices.Clone(store.DialogEndSteps)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("store.DialogEndSteps = %q, want %q", got, want)
	}
}
