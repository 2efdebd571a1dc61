package slack

// SetRepliesPage makes Replies ask for n replies per call, so a test can
// see it page.
func (a *Adapter) SetRepliesPage(n int) { a.repliesPage = n }
