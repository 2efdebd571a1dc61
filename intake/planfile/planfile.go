// Package planfile reads and writes plan files: the YAML in which a
// municipality describes its plan (goals and strategies from phases 1 and 2,
// the actors and groups, the channels) for Dugnad.
//
// Parse checks the whole file and reports every problem with its line, in
// the reader's language, before anything is stored.
package planfile

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kommune-dugnad/dugnad/store"
)

// Problem is one thing wrong in a plan file.
type Problem struct {
	Line int
	code string
	args []any
}

// Message renders the problem in a language.
func (p Problem) Message(lang store.Language) string {
	t, ok := messages[p.code]
	if !ok {
		return p.code
	}
	return fmt.Sprintf(t[lang.Index()], p.args...)
}

// Error lists every problem found in a plan file. Its Error method renders
// them in bokmål; use Format for another language.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string { return e.Format(store.Bokmal) }

// Format renders every problem as "file:line: message", one per line.
func (e *Error) Format(lang store.Language) string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		if p.Line > 0 {
			fmt.Fprintf(&b, "%s:%d: %s", e.File, p.Line, p.Message(lang))
		} else {
			fmt.Fprintf(&b, "%s: %s", e.File, p.Message(lang))
		}
	}
	return b.String()
}

// File is a parsed, valid plan file.
type File struct {
	Name string
	Spec store.PlanSpec
	// lines maps "actor:KEY", "channel:KEY" and the like to the line that
	// defines it, so that a conflict found when the plan is stored can
	// still be reported by line.
	lines map[string]int
}

// Line returns the line that defines an entry ("actor", "channel",
// "workspace") with the given key, or 0.
func (f *File) Line(kind, key string) int { return f.lines[kind+":"+key] }

// ConflictError explains a store.ConflictError in the plan file's terms.
func (f *File) ConflictError(c *store.ConflictError) *Error {
	line := f.Line("actor", c.Key)
	if line == 0 {
		line = f.Line("channel", c.Key)
	}
	if line == 0 {
		line = f.Line("workspace", c.Value)
	}
	return &Error{File: f.Name, Problems: []Problem{{Line: line, code: "conflict", args: []any{c.Value, c.Owner}}}}
}

// lstr is a scalar with the line it stands on.
type lstr struct {
	V    string
	Line int
}

func (s *lstr) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &problemErr{Problem{Line: n.Line, code: "want_scalar"}}
	}
	s.V, s.Line = strings.TrimSpace(n.Value), n.Line
	return nil
}

// problemErr carries a Problem through the YAML decoder.
type problemErr struct{ p Problem }

func (e *problemErr) Error() string { return e.p.Message(store.English) }

// strict decodes a mapping node into v (a pointer to a struct without its
// own UnmarshalYAML), refusing keys the struct does not name and keys given
// twice.
func strict(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return &problemErr{Problem{Line: n.Line, code: "want_mapping"}}
	}
	known := map[string]bool{}
	t := reflect.TypeOf(v).Elem()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			known[name] = true
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !known[k.Value] {
			return &problemErr{Problem{Line: k.Line, code: "unknown_field", args: []any{k.Value}}}
		}
		if first, dup := seen[k.Value]; dup {
			return &problemErr{Problem{Line: k.Line, code: "dup_field", args: []any{k.Value, first}}}
		}
		seen[k.Value] = k.Line
	}
	return n.Decode(v)
}

type rawFile struct {
	Plan         lstr         `yaml:"plan"`
	Municipality lstr         `yaml:"municipality"`
	Title        lstr         `yaml:"title"`
	Language     lstr         `yaml:"language"`
	Timezone     lstr         `yaml:"timezone"`
	OpenIntake   bool         `yaml:"open_intake"`
	Slack        *rawSlack    `yaml:"slack"`
	Discord      *rawDiscord  `yaml:"discord"`
	Goals        []rawGoal    `yaml:"goals"`
	CentralTasks []rawTask    `yaml:"central_tasks"`
	Actors       []rawActor   `yaml:"actors"`
	Groups       yaml.Node    `yaml:"groups"`
	Channels     []rawChannel `yaml:"channels"`
	Hearing      *rawHearing  `yaml:"hearing"`
}

type rawSlack struct {
	Team  lstr   `yaml:"team"`
	Teams []lstr `yaml:"teams"`
}

func (r *rawSlack) UnmarshalYAML(n *yaml.Node) error {
	type plain rawSlack
	return strict(n, (*plain)(r))
}

type rawDiscord struct {
	Guild  lstr   `yaml:"guild"`
	Guilds []lstr `yaml:"guilds"`
}

func (r *rawDiscord) UnmarshalYAML(n *yaml.Node) error {
	type plain rawDiscord
	return strict(n, (*plain)(r))
}

type rawGoal struct {
	Line       int           `yaml:"-"`
	ID         lstr          `yaml:"id"`
	Text       lstr          `yaml:"text"`
	Strategies []rawStrategy `yaml:"strategies"`
}

func (r *rawGoal) UnmarshalYAML(n *yaml.Node) error {
	type plain rawGoal
	r.Line = n.Line
	return strict(n, (*plain)(r))
}

type rawStrategy struct {
	Line        int      `yaml:"-"`
	ID          lstr     `yaml:"id"`
	Title       lstr     `yaml:"title"`
	Description string   `yaml:"description"`
	Keywords    []string `yaml:"keywords"`
}

func (r *rawStrategy) UnmarshalYAML(n *yaml.Node) error {
	type plain rawStrategy
	r.Line = n.Line
	return strict(n, (*plain)(r))
}

type rawTask struct {
	Line int  `yaml:"-"`
	ID   lstr `yaml:"id"`
	Name lstr `yaml:"name"`
}

func (r *rawTask) UnmarshalYAML(n *yaml.Node) error {
	type plain rawTask
	r.Line = n.Line
	return strict(n, (*plain)(r))
}

type rawActor struct {
	Line         int    `yaml:"-"`
	ID           lstr   `yaml:"id"`
	Name         lstr   `yaml:"name"`
	Organisation string `yaml:"organisation"`
	Kind         lstr   `yaml:"kind"`
	Slack        lstr   `yaml:"slack"`
	Discord      lstr   `yaml:"discord"`
	Preferred    lstr   `yaml:"preferred"`
	Strategies   []lstr `yaml:"strategies"`
	Language     lstr   `yaml:"language"`
}

func (r *rawActor) UnmarshalYAML(n *yaml.Node) error {
	type plain rawActor
	r.Line = n.Line
	return strict(n, (*plain)(r))
}

type rawChannel struct {
	Line     int  `yaml:"-"`
	ID       lstr `yaml:"id"`
	Purpose  lstr `yaml:"purpose"`
	Slack    lstr `yaml:"slack"`
	Discord  lstr `yaml:"discord"`
	Strategy lstr `yaml:"strategy"`
}

func (r *rawChannel) UnmarshalYAML(n *yaml.Node) error {
	type plain rawChannel
	r.Line = n.Line
	return strict(n, (*plain)(r))
}

type rawHearing struct {
	Line             int               `yaml:"-"`
	Votes            map[string][]lstr `yaml:"votes"`
	Quorum           *float64          `yaml:"quorum"`
	HideRunningTally bool              `yaml:"hide_running_tally"`
	ReminderBefore   lstr              `yaml:"reminder_before"`
}

func (r *rawHearing) UnmarshalYAML(n *yaml.Node) error {
	type plain rawHearing
	r.Line = n.Line
	return strict(n, (*plain)(r))
}

var (
	keyPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	idPattern      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)
	slackUser      = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	slackTeam      = regexp.MustCompile(`^[TE][A-Z0-9]{2,}$`)
	slackChannel   = regexp.MustCompile(`^[CGD][A-Z0-9]{2,}$`)
	discordID      = regexp.MustCompile(`^[0-9]{17,20}$`)
	yamlLineNumber = regexp.MustCompile(`line (\d+)`)
	// parserError matches the parser's errors (go.yaml.in/yaml/v3 parserc.go).
	parserError = regexp.MustCompile(`^did not find expected (<|node content|'-' indicator|key|',' or)`)
)

// DefaultVotes are the hearing's vote emoji when a plan names none: Slack's
// names and the Unicode emoji Discord and the console use.
var DefaultVotes = map[store.VoteChoice][]string{
	store.VoteSupport: {"+1", "👍"},
	store.VoteOppose:  {"-1", "👎"},
	store.VoteUnsure:  {"thinking_face", "🤔"},
}

// DefaultReminderBefore is how long before a hearing's deadline members who
// have not voted are reminded, when the plan does not say.
const DefaultReminderBefore = 48 * time.Hour

// Parse reads a plan file. name is used in messages. The returned error is
// an *Error listing every problem found, each with its line.
func Parse(name string, data []byte) (*File, error) {
	p := &parser{name: name, lines: map[string]int{}}
	var raw rawFile
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line := 0
		if m := yamlLineNumber.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = yamlLineNumber.ReplaceAllString(msg, "")
		msg = strings.TrimLeft(msg, ": ")
		// The YAML library numbers lines from 1 for scanner errors but
		// from 0 for parser errors (go.yaml.in/yaml/v3 decode.go,
		// parser.fail). Some scanner errors also begin "did not find
		// expected" (an alphabetic or numeric character, a tag URI …).
		if line > 0 && parserError.MatchString(msg) {
			line++
		}
		// For a tab in the indentation it names where the token began;
		// the tab itself is easy to find.
		if strings.Contains(msg, "tab character") {
			if l := firstTabIndent(data); l > 0 {
				line = l
			}
		}
		p.add(line, "yaml_syntax", msg)
		return nil, p.err()
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		p.add(0, "empty")
		return nil, p.err()
	}
	doc := root.Content[0]
	type plain rawFile
	if err := strict(doc, (*plain)(&raw)); err != nil {
		p.decodeError(err)
		return nil, p.err()
	}
	spec := p.check(&raw, doc)
	if len(p.problems) > 0 {
		return nil, p.err()
	}
	return &File{Name: name, Spec: spec, lines: p.lines}, nil
}

// firstTabIndent returns the first line (from 1) indented with a tab, or 0.
func firstTabIndent(data []byte) int {
	for i, l := range strings.Split(string(data), "\n") {
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if strings.Contains(indent, "\t") {
			return i + 1
		}
	}
	return 0
}

type parser struct {
	name     string
	problems []Problem
	lines    map[string]int
}

func (p *parser) add(line int, code string, args ...any) {
	p.problems = append(p.problems, Problem{Line: line, code: code, args: args})
}

func (p *parser) err() error {
	if len(p.problems) == 0 {
		return nil
	}
	return &Error{File: p.name, Problems: p.problems}
}

func (p *parser) decodeError(err error) {
	var pe *problemErr
	if errors.As(err, &pe) {
		p.problems = append(p.problems, pe.p)
		return
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			line := 0
			if m := yamlLineNumber.FindStringSubmatch(e); m != nil {
				line, _ = strconv.Atoi(m[1])
			}
			msg := strings.TrimLeft(yamlLineNumber.ReplaceAllString(e, ""), ": ")
			p.add(line, "yaml_type", msg)
		}
		return
	}
	p.add(0, "yaml_type", err.Error())
}

func (p *parser) required(v lstr, parentLine int, field string) bool {
	if v.V == "" {
		line := v.Line
		if line == 0 {
			line = parentLine
		}
		p.add(line, "required", field)
		return false
	}
	return true
}

// unique records key under kind and reports a duplicate.
func (p *parser) unique(kind string, key lstr) {
	if first, dup := p.lines[kind+":"+key.V]; dup {
		p.add(key.Line, "duplicate", key.V, first)
		return
	}
	p.lines[kind+":"+key.V] = key.Line
}

func (p *parser) check(raw *rawFile, doc *yaml.Node) store.PlanSpec {
	spec := store.PlanSpec{Groups: map[store.Role][]string{}}

	if p.required(raw.Plan, doc.Line, "plan") && !keyPattern.MatchString(raw.Plan.V) {
		p.add(raw.Plan.Line, "bad_key", raw.Plan.V)
	}
	p.required(raw.Municipality, doc.Line, "municipality")
	p.required(raw.Title, doc.Line, "title")
	spec.Key, spec.Municipality, spec.Title = raw.Plan.V, raw.Municipality.V, raw.Title.V
	spec.OpenIntake = raw.OpenIntake

	spec.Language = store.Bokmal
	if raw.Language.V != "" {
		spec.Language = store.Language(raw.Language.V)
		if !spec.Language.Valid() {
			p.add(raw.Language.Line, "bad_language", raw.Language.V)
		}
	}
	spec.Timezone = "Europe/Oslo"
	if raw.Timezone.V != "" {
		spec.Timezone = raw.Timezone.V
		if _, err := time.LoadLocation(raw.Timezone.V); err != nil {
			p.add(raw.Timezone.Line, "bad_timezone", raw.Timezone.V)
		}
	}

	// Workspaces.
	var slackTeams []string
	if raw.Slack != nil {
		for _, t := range append([]lstr{raw.Slack.Team}, raw.Slack.Teams...) {
			if t.V == "" {
				continue
			}
			if !slackTeam.MatchString(t.V) {
				p.add(t.Line, "bad_slack_team", t.V)
				continue
			}
			p.unique("workspace", t)
			slackTeams = append(slackTeams, t.V)
			spec.Workspaces = append(spec.Workspaces, store.Workspace{Platform: "slack", ID: t.V})
		}
	}
	if raw.Discord != nil {
		for _, g := range append([]lstr{raw.Discord.Guild}, raw.Discord.Guilds...) {
			if g.V == "" {
				continue
			}
			if !discordID.MatchString(g.V) {
				p.add(g.Line, "bad_discord_id", g.V)
				continue
			}
			p.unique("workspace", g)
			spec.Workspaces = append(spec.Workspaces, store.Workspace{Platform: "discord", ID: g.V})
		}
	}

	// Goals and strategies.
	if len(raw.Goals) == 0 {
		p.add(doc.Line, "no_goals")
	}
	strategies := map[string]bool{}
	for _, g := range raw.Goals {
		if p.required(g.ID, g.Line, "id") {
			if !idPattern.MatchString(g.ID.V) {
				p.add(g.ID.Line, "bad_id", g.ID.V)
			}
			p.unique("goal", g.ID)
		}
		p.required(g.Text, g.Line, "text")
		gs := store.GoalSpec{Key: g.ID.V, Text: g.Text.V}
		if len(g.Strategies) == 0 {
			p.add(g.Line, "no_strategies", g.ID.V)
		}
		for _, s := range g.Strategies {
			if p.required(s.ID, s.Line, "id") {
				if !idPattern.MatchString(s.ID.V) {
					p.add(s.ID.Line, "bad_id", s.ID.V)
				}
				p.unique("strategy", s.ID)
				strategies[s.ID.V] = true
			}
			p.required(s.Title, s.Line, "title")
			gs.Strategies = append(gs.Strategies, store.StrategySpec{Key: s.ID.V, Title: s.Title.V,
				Description: strings.TrimSpace(s.Description), Keywords: cleanKeywords(s.Keywords)})
		}
		spec.Goals = append(spec.Goals, gs)
	}

	// Central tasks.
	if len(raw.CentralTasks) == 0 {
		spec.CentralTasks = DefaultCentralTasks(spec.Language)
	}
	for _, t := range raw.CentralTasks {
		if p.required(t.ID, t.Line, "id") {
			if !keyPattern.MatchString(t.ID.V) {
				p.add(t.ID.Line, "bad_key", t.ID.V)
			}
			p.unique("central_task", t.ID)
		}
		p.required(t.Name, t.Line, "name")
		spec.CentralTasks = append(spec.CentralTasks, store.TaskSpec{Key: t.ID.V, Name: t.Name.V})
	}

	// Actors.
	if len(raw.Actors) == 0 {
		p.add(doc.Line, "no_actors")
	}
	for _, a := range raw.Actors {
		spec.Actors = append(spec.Actors, p.actor(a, slackTeams, strategies))
	}

	// Groups.
	p.groups(&raw.Groups, doc.Line, &spec)

	// Channels.
	for _, c := range raw.Channels {
		spec.Channels = append(spec.Channels, p.channel(c, strategies)...)
	}

	// Hearing settings.
	spec.Settings = store.PlanSettings{Votes: DefaultVotes, ReminderBefore: DefaultReminderBefore}
	if h := raw.Hearing; h != nil {
		if len(h.Votes) > 0 {
			spec.Settings.Votes = map[store.VoteChoice][]string{}
			emoji := map[string]int{}
			for k, list := range h.Votes {
				choice := store.VoteChoice(k)
				if choice != store.VoteSupport && choice != store.VoteOppose && choice != store.VoteUnsure {
					p.add(h.Line, "bad_vote", k)
					continue
				}
				for _, e := range list {
					// ":+1:" and "+1" are one emoji.
					name := strings.Trim(e.V, ":")
					if first, dup := emoji[name]; dup {
						p.add(e.Line, "duplicate", e.V, first)
					}
					emoji[name] = e.Line
					spec.Settings.Votes[choice] = append(spec.Settings.Votes[choice], name)
				}
			}
		}
		if h.Quorum != nil {
			if q := *h.Quorum; !(q >= 0 && q <= 1) { // NaN too
				p.add(h.Line, "bad_quorum", *h.Quorum)
			}
			spec.Settings.Quorum = *h.Quorum
		}
		spec.Settings.HideRunningTally = h.HideRunningTally
		if h.ReminderBefore.V != "" {
			d, err := time.ParseDuration(h.ReminderBefore.V)
			if err != nil || d <= 0 {
				p.add(h.ReminderBefore.Line, "bad_duration", h.ReminderBefore.V)
			}
			spec.Settings.ReminderBefore = d
		}
	}
	return spec
}

func (p *parser) actor(a rawActor, slackTeams []string, strategies map[string]bool) store.ActorSpec {
	if p.required(a.ID, a.Line, "id") {
		if !keyPattern.MatchString(a.ID.V) {
			p.add(a.ID.Line, "bad_key", a.ID.V)
		}
		p.unique("actor", a.ID)
	}
	p.required(a.Name, a.Line, "name")
	as := store.ActorSpec{Key: a.ID.V, Name: a.Name.V, Organisation: strings.TrimSpace(a.Organisation),
		Kind: store.ActorKind(a.Kind.V), PreferredPlatform: a.Preferred.V}
	if a.Kind.V == "" {
		as.Kind = store.External
	} else if as.Kind != store.Internal && as.Kind != store.External {
		p.add(a.Kind.Line, "bad_kind", a.Kind.V)
	}
	if a.Language.V != "" {
		as.Language = store.Language(a.Language.V)
		if !as.Language.Valid() {
			p.add(a.Language.Line, "bad_language", a.Language.V)
		}
	}
	if a.Slack.V != "" {
		team, user, hasTeam := strings.Cut(a.Slack.V, "/")
		if !hasTeam {
			user, team = team, ""
			switch len(slackTeams) {
			case 0:
				p.add(a.Slack.Line, "slack_without_team", a.ID.V)
			case 1:
				team = slackTeams[0]
			default:
				p.add(a.Slack.Line, "slack_which_team", a.ID.V)
			}
		} else if !contains(slackTeams, team) {
			p.add(a.Slack.Line, "unknown_slack_team", team)
		}
		if !slackUser.MatchString(user) {
			p.add(a.Slack.Line, "bad_slack_user", user)
		}
		p.unique("slack", lstr{V: team + "/" + user, Line: a.Slack.Line})
		as.Identities = append(as.Identities, store.Identity{Platform: "slack", Workspace: team, UserID: user})
	}
	if a.Discord.V != "" {
		if !discordID.MatchString(a.Discord.V) {
			p.add(a.Discord.Line, "bad_discord_id", a.Discord.V)
		}
		p.unique("discord", a.Discord)
		// Discord user IDs are global and DMs carry no server: the
		// identity is not tied to one.
		as.Identities = append(as.Identities, store.Identity{Platform: "discord", UserID: a.Discord.V})
	}
	switch a.Preferred.V {
	case "":
	case "slack", "discord":
		if (a.Preferred.V == "slack" && a.Slack.V == "") || (a.Preferred.V == "discord" && a.Discord.V == "") {
			p.add(a.Preferred.Line, "preferred_missing", a.Preferred.V)
		}
	default:
		p.add(a.Preferred.Line, "bad_preferred", a.Preferred.V)
	}
	for _, s := range a.Strategies {
		if !strategies[s.V] {
			p.add(s.Line, "unknown_strategy", s.V)
		}
		as.Strategies = append(as.Strategies, s.V)
	}
	return as
}

func (p *parser) groups(n *yaml.Node, docLine int, spec *store.PlanSpec) {
	if n.Kind == 0 {
		p.add(docLine, "no_project_leader")
		return
	}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "want_mapping")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		role := store.Role(k.Value)
		if !role.Valid() {
			p.add(k.Line, "bad_group", k.Value)
			continue
		}
		if _, dup := spec.Groups[role]; dup {
			p.add(k.Line, "dup_field", k.Value, k.Line)
			continue
		}
		spec.Groups[role] = []string{}
		if v.Kind != yaml.SequenceNode {
			p.add(v.Line, "want_list")
			continue
		}
		seen := map[string]bool{}
		for _, m := range v.Content {
			if m.Kind != yaml.ScalarNode {
				p.add(m.Line, "want_scalar")
				continue
			}
			if _, ok := p.lines["actor:"+m.Value]; !ok {
				p.add(m.Line, "unknown_actor", m.Value)
				continue
			}
			if seen[m.Value] {
				continue
			}
			seen[m.Value] = true
			spec.Groups[role] = append(spec.Groups[role], m.Value)
		}
		if role == store.RoleProjectLeader && len(spec.Groups[role]) > 1 {
			p.add(k.Line, "many_project_leaders")
		}
	}
	if len(spec.Groups[store.RoleProjectLeader]) == 0 {
		p.add(n.Line, "no_project_leader")
	}
}

func (p *parser) channel(c rawChannel, strategies map[string]bool) []store.ChannelSpec {
	if p.required(c.ID, c.Line, "id") {
		if !keyPattern.MatchString(c.ID.V) {
			p.add(c.ID.Line, "bad_key", c.ID.V)
		}
		p.unique("channel", c.ID)
	}
	purpose := store.ChannelPurpose(c.Purpose.V)
	if p.required(c.Purpose, c.Line, "purpose") {
		valid := false
		for _, x := range store.ChannelPurposes {
			valid = valid || x == purpose
		}
		if !valid {
			p.add(c.Purpose.Line, "bad_purpose", c.Purpose.V)
		}
	}
	if c.Strategy.V != "" && !strategies[c.Strategy.V] {
		p.add(c.Strategy.Line, "unknown_strategy", c.Strategy.V)
	}
	var out []store.ChannelSpec
	if c.Slack.V != "" {
		if !slackChannel.MatchString(c.Slack.V) {
			p.add(c.Slack.Line, "bad_slack_channel", c.Slack.V)
		}
		p.unique("slack_channel", c.Slack)
		out = append(out, store.ChannelSpec{Key: c.ID.V, Purpose: purpose, Platform: "slack", Channel: c.Slack.V, Strategy: c.Strategy.V})
	}
	if c.Discord.V != "" {
		if !discordID.MatchString(c.Discord.V) {
			p.add(c.Discord.Line, "bad_discord_id", c.Discord.V)
		}
		p.unique("discord_channel", c.Discord)
		out = append(out, store.ChannelSpec{Key: c.ID.V, Purpose: purpose, Platform: "discord", Channel: c.Discord.V, Strategy: c.Strategy.V})
	}
	if len(out) == 0 {
		p.add(c.Line, "channel_without_id", c.ID.V)
	}
	return out
}

func cleanKeywords(in []string) []string {
	out := []string{}
	for _, k := range in {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Marshal writes spec as a plan file that Parse reads back to the same spec.
func Marshal(spec store.PlanSpec) ([]byte, error) {
	type strategy struct {
		ID          string   `yaml:"id"`
		Title       string   `yaml:"title"`
		Description string   `yaml:"description,omitempty"`
		Keywords    []string `yaml:"keywords,flow,omitempty"`
	}
	type goal struct {
		ID         string     `yaml:"id"`
		Text       string     `yaml:"text"`
		Strategies []strategy `yaml:"strategies"`
	}
	type task struct {
		ID   string `yaml:"id"`
		Name string `yaml:"name"`
	}
	type actor struct {
		ID           string   `yaml:"id"`
		Name         string   `yaml:"name"`
		Organisation string   `yaml:"organisation,omitempty"`
		Kind         string   `yaml:"kind"`
		Slack        string   `yaml:"slack,omitempty"`
		Discord      string   `yaml:"discord,omitempty"`
		Preferred    string   `yaml:"preferred,omitempty"`
		Strategies   []string `yaml:"strategies,flow,omitempty"`
		Language     string   `yaml:"language,omitempty"`
	}
	type channel struct {
		ID       string `yaml:"id"`
		Purpose  string `yaml:"purpose"`
		Slack    string `yaml:"slack,omitempty"`
		Discord  string `yaml:"discord,omitempty"`
		Strategy string `yaml:"strategy,omitempty"`
	}
	type platform struct {
		Team   string   `yaml:"team,omitempty"`
		Teams  []string `yaml:"teams,omitempty"`
		Guild  string   `yaml:"guild,omitempty"`
		Guilds []string `yaml:"guilds,omitempty"`
	}
	type hearing struct {
		Votes            map[string][]string `yaml:"votes,omitempty"`
		Quorum           *float64            `yaml:"quorum,omitempty"`
		HideRunningTally bool                `yaml:"hide_running_tally,omitempty"`
		ReminderBefore   string              `yaml:"reminder_before,omitempty"`
	}
	type file struct {
		Plan         string              `yaml:"plan"`
		Municipality string              `yaml:"municipality"`
		Title        string              `yaml:"title"`
		Language     string              `yaml:"language"`
		Timezone     string              `yaml:"timezone"`
		OpenIntake   bool                `yaml:"open_intake"`
		Slack        *platform           `yaml:"slack,omitempty"`
		Discord      *platform           `yaml:"discord,omitempty"`
		Goals        []goal              `yaml:"goals"`
		CentralTasks []task              `yaml:"central_tasks,omitempty"`
		Actors       []actor             `yaml:"actors"`
		Groups       map[string][]string `yaml:"groups"`
		Channels     []channel           `yaml:"channels,omitempty"`
		Hearing      *hearing            `yaml:"hearing,omitempty"`
	}
	f := file{Plan: spec.Key, Municipality: spec.Municipality, Title: spec.Title, Language: string(spec.Language),
		Timezone: spec.Timezone, OpenIntake: spec.OpenIntake, Groups: map[string][]string{}}
	var slackTeams, guilds []string
	for _, w := range spec.Workspaces {
		switch w.Platform {
		case "slack":
			slackTeams = append(slackTeams, w.ID)
		case "discord":
			guilds = append(guilds, w.ID)
		}
	}
	if len(slackTeams) == 1 {
		f.Slack = &platform{Team: slackTeams[0]}
	} else if len(slackTeams) > 1 {
		f.Slack = &platform{Teams: slackTeams}
	}
	if len(guilds) == 1 {
		f.Discord = &platform{Guild: guilds[0]}
	} else if len(guilds) > 1 {
		f.Discord = &platform{Guilds: guilds}
	}
	for _, g := range spec.Goals {
		out := goal{ID: g.Key, Text: g.Text}
		for _, s := range g.Strategies {
			out.Strategies = append(out.Strategies, strategy{s.Key, s.Title, s.Description, s.Keywords})
		}
		f.Goals = append(f.Goals, out)
	}
	if !equalTasks(spec.CentralTasks, DefaultCentralTasks(spec.Language)) {
		for _, t := range spec.CentralTasks {
			f.CentralTasks = append(f.CentralTasks, task{t.Key, t.Name})
		}
	}
	for _, a := range spec.Actors {
		out := actor{ID: a.Key, Name: a.Name, Organisation: a.Organisation, Kind: string(a.Kind),
			Preferred: a.PreferredPlatform, Strategies: a.Strategies, Language: string(a.Language)}
		for _, id := range a.Identities {
			switch id.Platform {
			case "slack":
				out.Slack = id.UserID
				if len(slackTeams) != 1 {
					out.Slack = id.Workspace + "/" + id.UserID
				}
			case "discord":
				out.Discord = id.UserID
			}
		}
		f.Actors = append(f.Actors, out)
	}
	for role, keys := range spec.Groups {
		f.Groups[string(role)] = keys
	}
	byKey := map[string]*channel{}
	for _, c := range spec.Channels {
		ch := byKey[c.Key]
		if ch == nil {
			f.Channels = append(f.Channels, channel{ID: c.Key, Purpose: string(c.Purpose), Strategy: c.Strategy})
			ch = &f.Channels[len(f.Channels)-1]
			byKey[c.Key] = ch
		}
		switch c.Platform {
		case "slack":
			ch.Slack = c.Channel
		case "discord":
			ch.Discord = c.Channel
		}
		// Later appends may move the slice; keep the map's pointers valid.
		for i := range f.Channels {
			byKey[f.Channels[i].ID] = &f.Channels[i]
		}
	}
	s := spec.Settings
	h := hearing{HideRunningTally: s.HideRunningTally}
	if len(s.Votes) > 0 {
		h.Votes = map[string][]string{}
		for k, v := range s.Votes {
			h.Votes[string(k)] = v
		}
	}
	if s.Quorum != 0 {
		h.Quorum = &s.Quorum
	}
	if s.ReminderBefore != 0 {
		h.ReminderBefore = s.ReminderBefore.String()
	}
	f.Hearing = &h
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("planfile: marshal: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("planfile: marshal: %w", err)
	}
	return buf.Bytes(), nil
}

func equalTasks(a, b []store.TaskSpec) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
