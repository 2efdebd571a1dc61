package slackfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// Sign computes Slack's v0 request signature for body sent at ts with the
// app's signing secret: the X-Slack-Request-Timestamp value (Unix seconds)
// and the X-Slack-Signature value, "v0=" + hex(HMAC-SHA256(secret,
// "v0:"+timestamp+":"+body)).
func Sign(secret string, body []byte, ts time.Time) (timestampHeader, signatureHeader string) {
	timestampHeader = strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + timestampHeader + ":"))
	mac.Write(body)
	return timestampHeader, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// NewEventsRequest builds the POST Slack would send to an HTTP endpoint at
// url: body signed with secret at the current time, Content-Type
// application/json if body is a JSON object, else form-urlencoded (see
// HTTPBody), and, if retryNum > 0, X-Slack-Retry-Num: retryNum with
// X-Slack-Retry-Reason: http_timeout. The request works both with
// http.Client.Do and handed straight to a handler's ServeHTTP; it is bound
// to t's context. Re-sign (Sign) to test stale or forged signatures.
func NewEventsRequest(t testing.TB, url, secret string, body []byte, retryNum int) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("slackfake: NewEventsRequest: %v", err)
	}
	ts, sig := Sign(secret, body, time.Now())
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	if retryNum > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retryNum))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	return req
}

// HTTPBody returns the request body Slack POSTs over HTTP for a payload that
// Socket Mode would carry in an envelope of type typ: an Events API body is
// sent as is (JSON); an interaction as the form field payload=<JSON>; a slash
// command as form fields, in the payload's key order.
func HTTPBody(typ EnvelopeType, payload json.RawMessage) []byte {
	switch typ {
	case Interactive:
		return []byte("payload=" + url.QueryEscape(string(payload)))
	case SlashCommands:
		o, err := jsonobj.ParseObject(payload)
		if err != nil {
			return nil
		}
		var b strings.Builder
		for i, k := range o.Keys() {
			if i > 0 {
				b.WriteByte('&')
			}
			v, ok := o.Get(k).(string)
			if !ok {
				v = strings.Trim(string(marshal(o.Get(k))), `"`)
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
		return []byte(b.String())
	default:
		return bytes.Clone(payload)
	}
}
