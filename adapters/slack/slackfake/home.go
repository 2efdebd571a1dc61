package slackfake

import (
	"encoding/json"
	"net/url"
	"time"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// Home is one accepted views.publish call: a user's App Home tab.
type Home struct {
	User string
	View json.RawMessage // the view object as sent
}

// viewsPublish records a home tab (s.mu held). Slack needs no scope for it,
// only the App Home feature.
func (s *Server) viewsPublish(f url.Values) (*jsonobj.Object, string) {
	user, view := f.Get("user_id"), f.Get("view")
	if user == "" {
		return nil, "invalid_arguments"
	}
	var v struct {
		Type   string          `json:"type"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(view), &v); err != nil || v.Type != "home" {
		return nil, "invalid_arguments"
	}
	s.homes = append(s.homes, Home{User: user, View: json.RawMessage(view)})
	return jsonobj.New("view", jsonobj.New("id", "V"+s.nextIDLocked(), "type", "home", "blocks", json.RawMessage(v.Blocks))), ""
}

// Homes returns the App Home tabs published so far, oldest first.
func (s *Server) Homes() []Home {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Home, len(s.homes))
	for i, h := range s.homes {
		out[i] = Home{User: h.User, View: cloneRaw(h.View)}
	}
	return out
}

// WaitHomes waits until at least n home tabs were published.
func (s *Server) WaitHomes(n int, timeout time.Duration) ([]Home, bool) {
	ok := s.waitUntil(timeout, func() bool { return len(s.homes) >= n })
	return s.Homes(), ok
}

// AppHomeOpenedEvent returns an Events API body with an app_home_opened
// event for user's Home tab.
func (s *Server) AppHomeOpenedEvent(user string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := jsonobj.New("type", "app_home_opened", "user", user, "channel", s.openDMLocked(user), "tab", "home", "event_ts", s.nextTSLocked())
	o := jsonobj.New("token", "verification_token", "team_id", s.cfg.TeamID, "api_app_id", s.cfg.AppID, "event", ev,
		"type", "event_callback", "event_id", s.eventIDLocked(), "event_time", time.Now().Unix())
	return marshal(o)
}
