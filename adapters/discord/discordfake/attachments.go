package discordfake

import (
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
)

// Attachment is a file sent with a message: a files[n] part of a
// multipart/form-data request, as discordgo sends MessageSend.Files.
type Attachment struct {
	ID          string // the attachment ID the fake assigned
	Name        string // the part's filename
	ContentType string // the part's Content-Type, as sent
	Data        []byte
}

// filePart names the parts Discord takes files from: files[n], and the
// older single "file".
var filePart = regexp.MustCompile(`^(files\[[0-9]+\]|file)$`)

// attachmentPart reads a multipart part as an attachment, if it is one.
func attachmentPart(p *multipart.Part, data []byte) (Attachment, bool) {
	if p.FileName() == "" || !filePart.MatchString(p.FormName()) {
		return Attachment{}, false
	}
	return Attachment{Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data}, true
}

// attachmentsSize is the total size of the files in a request, which
// Config.MaxUploadSize bounds.
func attachmentsSize(files []Attachment) int {
	n := 0
	for _, f := range files {
		n += len(f.Data)
	}
	return n
}

// attachmentPath is where Discord's CDN serves an attachment:
// https://cdn.discordapp.com<path>, and media.discordapp.net for proxy_url.
func attachmentPath(channelID string, f Attachment) string {
	return "/attachments/" + channelID + "/" + f.ID + "/" + f.Name
}

func cloneAttachments(files []Attachment) []Attachment {
	out := slices.Clone(files)
	for i := range out {
		out[i].Data = slices.Clone(out[i].Data)
	}
	return out
}

// errEntityTooLarge is Discord's answer to files over the upload limit.
var errEntityTooLarge = apiError(http.StatusRequestEntityTooLarge, 40005, "Request entity too large")
