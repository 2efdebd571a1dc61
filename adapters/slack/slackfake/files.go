package slackfake

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// UploadURLCall is the Call.Method of a POST to an upload URL that
// files.getUploadURLExternal handed out, and the name to put in
// RateLimit.Methods to rate-limit those POSTs.
const UploadURLCall = "upload_url"

// uploadPath is where the fake's upload URLs live, like Slack's
// https://files.slack.com/upload/v1/<ticket>. slack-go sends its bot token
// with the POST, so it only accepts an upload URL on the API URL's host
// (or an https Slack host): the fake's own server is that host.
const uploadPath = "/upload/v1/"

// Upload is one file shared through Slack's external upload flow:
// files.getUploadURLExternal (name and length), the POST of its bytes to the
// upload URL, and files.completeUploadExternal (title, channel, comment). A
// file shared to several channels is one Upload per channel.
type Upload struct {
	FileID   string
	Filename string // the filename given to files.getUploadURLExternal
	Length   int    // the length declared there
	Data     []byte // the bytes POSTed to the upload URL
	Title    string // the title given to files.completeUploadExternal; "" if none
	// Channel is where the file was shared (channel_id, or one of channels);
	// "" when the upload was completed without one (a private file).
	Channel        string
	ThreadTS       string
	TS             string // the ts of the message that shares the file; "" for a private file
	InitialComment string
	Blocks         json.RawMessage // the blocks field, if sent without initial_comment
	Form           url.Values      // the files.completeUploadExternal call's form, token included
}

// fileState holds files from their files.getUploadURLExternal to their
// files.completeUploadExternal, and the uploads completed.
type fileState struct {
	byID     map[string]*fakeFile
	byTicket map[string]*fakeFile // upload URL ticket → file
	uploads  []Upload
}

type fakeFile struct {
	id, name, title string
	length          int
	data            []byte
	uploaded        bool // its bytes were POSTed
	completed       bool // files.completeUploadExternal took it
}

// Uploads returns the completed uploads in order. Files whose upload was
// never completed (for instance because files.completeUploadExternal was
// rate-limited and the client started over) are not included: Slack never
// shows them.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Upload, len(s.files.uploads))
	for i, u := range s.files.uploads {
		u.Data = slices.Clone(u.Data)
		u.Blocks = cloneRaw(u.Blocks)
		u.Form = cloneValues(u.Form)
		out[i] = u
	}
	return out
}

// WaitUploads waits until at least n uploads have been completed or timeout
// passes, and returns the uploads so far and whether there are n.
func (s *Server) WaitUploads(n int, timeout time.Duration) ([]Upload, bool) {
	ok := s.waitUntil(timeout, func() bool { return len(s.files.uploads) >= n })
	return s.Uploads(), ok
}

// newUploadLocked runs files.getUploadURLExternal: it returns a single-use
// URL on the fake's own server for the file's bytes, and the file's ID, or
// an error code.
func (s *Server) newUploadLocked(f url.Values) (uploadURL, fileID, errCode string) {
	name := f.Get("filename")
	length, err := strconv.Atoi(f.Get("length"))
	switch {
	case name == "" || f.Get("length") == "" || length == 0:
		return "", "", "missing_argument" // Slack: "typically only occurs when the length provided is 0"
	case err != nil || length < 0:
		return "", "", "invalid_arguments"
	}
	if s.files.byID == nil {
		s.files.byID, s.files.byTicket = map[string]*fakeFile{}, map[string]*fakeFile{}
	}
	file := &fakeFile{id: "F" + s.nextIDLocked(), name: name, length: length}
	ticket := uuid()
	s.files.byID[file.id] = file
	s.files.byTicket[ticket] = file
	return s.srv.URL + uploadPath + ticket, file.id, ""
}

// serveUpload takes a file's bytes at its upload URL, raw or as
// multipart/form-data (Slack accepts both; slack-go sends a "file" part),
// and answers 200 "OK - <length>" in text/plain, as Slack does.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ticket := strings.TrimPrefix(r.URL.Path, uploadPath)

	s.mu.Lock()
	status, answer := http.StatusOK, ""
	file := s.files.byTicket[ticket]
	switch {
	case r.Method != http.MethodPost:
		status, answer = http.StatusMethodNotAllowed, "method not allowed"
	case s.rateLimitedLocked(UploadURLCall):
		s.limited++
		w.Header().Set("Retry-After", strconv.Itoa(s.rateLimit.RetryAfter))
		status, answer = http.StatusTooManyRequests, "ratelimited"
	case file == nil || file.completed:
		status, answer = http.StatusNotFound, "not found"
	default:
		data, ok := uploadedBytes(r, body)
		if !ok {
			status, answer = http.StatusBadRequest, "bad request"
			break
		}
		file.data, file.uploaded = data, true
		answer = "OK - " + strconv.Itoa(len(data))
	}
	call := Call{Method: UploadURLCall, Form: url.Values{"url": {r.URL.Path}}, Body: body, Status: status}
	if status != http.StatusOK {
		call.Error = answer
	}
	s.calls = append(s.calls, call)
	s.notify()
	s.mu.Unlock()

	s.logf("%s %s → %d %s", UploadURLCall, r.URL.Path, status, call.Error)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, answer)
}

// uploadedBytes is the file in an upload POST: the first file part of a
// multipart body, or else the whole body.
func uploadedBytes(r *http.Request, body []byte) ([]byte, bool) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return body, true
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil, false
		}
		if p.FileName() != "" {
			data, err := io.ReadAll(p)
			return data, err == nil
		}
	}
}

// fileSummary is a file as files.completeUploadExternal answers it.
type fileSummary struct{ id, title string }

// completeUploadLocked runs files.completeUploadExternal: it shares uploaded
// files in channel_id (or each of channels) with one message each, carrying
// initial_comment (or blocks), in thread_ts if given, and returns the files
// (Slack's answer names the files, not the messages that share them), or an
// error code.
func (s *Server) completeUploadLocked(f url.Values) ([]fileSummary, string) {
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(f.Get("files")), &list); err != nil || len(list) == 0 {
		return nil, "invalid_arguments"
	}
	files := make([]*fakeFile, len(list))
	for i, item := range list {
		file := s.files.byID[item.ID]
		if file == nil || !file.uploaded || file.completed {
			return nil, "file_not_found" // "Could not find the file from the upload ticket."
		}
		files[i] = file
	}
	var channels []string
	if ch := f.Get("channel_id"); ch != "" {
		if !s.channels[ch] {
			return nil, "channel_not_found" // "Value passed for channel_id was invalid."
		}
		channels = append(channels, ch)
	}
	for _, ch := range strings.Split(f.Get("channels"), ",") {
		if ch = strings.TrimSpace(ch); ch == "" {
			continue
		}
		resolved, ok := s.resolveChannelLocked(ch) // channels may name users
		if !ok {
			return nil, "invalid_channel"
		}
		channels = append(channels, resolved)
	}
	if f.Get("thread_ts") != "" && len(channels) > 1 {
		return nil, "invalid_arguments" // a thread is in one channel
	}
	comment := f.Get("initial_comment")
	var blocks json.RawMessage
	if comment == "" {
		var ok bool
		if blocks, ok = parseBlocks(f); !ok {
			return nil, "invalid_blocks"
		}
	}

	var ids []string
	var out []fileSummary
	for i, file := range files {
		file.completed, file.title = true, list[i].Title
		ids = append(ids, file.id)
		out = append(out, fileSummary{id: file.id, title: file.shownTitle()})
	}
	share := func(ch, ts string) {
		for _, file := range files {
			s.files.uploads = append(s.files.uploads, Upload{
				FileID: file.id, Filename: file.name, Length: file.length, Data: slices.Clone(file.data),
				Title: file.title, Channel: ch, ThreadTS: f.Get("thread_ts"), TS: ts,
				InitialComment: comment, Blocks: cloneRaw(blocks), Form: cloneValues(f),
			})
		}
	}
	if len(channels) == 0 {
		share("", "")
	}
	for _, ch := range channels {
		m := &Message{Channel: ch, TS: s.nextTSLocked(), ThreadTS: f.Get("thread_ts"),
			User: s.cfg.BotUserID, BotID: s.cfg.BotID, Text: comment, Blocks: blocks, Files: slices.Clone(ids)}
		s.putMessageLocked(m)
		share(ch, m.TS)
	}
	return out, ""
}

// shownTitle is the file's title, or its name when it was given none, as
// Slack shows it.
func (f *fakeFile) shownTitle() string {
	if f.title == "" {
		return f.name
	}
	return f.title
}
