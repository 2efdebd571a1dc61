// Package console is the terminal adapter: the embedded default, with which
// anyone can try every flow of the bot locally. One person at the keyboard
// plays the plan's actors in turn; the bot's choices show as numbered
// options. When input is not a terminal it reads lines, so a script can
// drive it.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
)

// Person is an actor the console can play.
type Person struct {
	Key          string
	Name         string
	Organisation string
	Roles        []string // store role names: project_leader, project_group, reference_group, steering_group
}

// Config sets up the console.
type Config struct {
	In  io.Reader
	Out io.Writer
	// Interactive shows a prompt before each line; set it when In is a
	// terminal.
	Interactive bool
	// Plan is the key of the plan the console belongs to (its workspace).
	Plan string
	// Language is the console's own language (nb, nn or en), for its
	// few words of its own; the bot speaks each actor's language.
	Language string
	// Actor is the key of the actor to start as; empty: the first of
	// People that is in no group, else the first.
	Actor string
	// People lists the actors the console can play.
	People func(ctx context.Context) ([]Person, error)
	// FileDir is where files the bot sends (a digest) are written;
	// "dugnad-filer" in the working directory when empty.
	FileDir string
}

// MaxLine is the longest input line the console reads, in bytes. A longer
// one is refused whole, never cut.
const MaxLine = 1 << 20

// Adapter is the console adapter.
type Adapter struct {
	cfg   Config
	runID string
	seq   int

	// ready is closed once someone is at the keyboard: until then Send
	// waits, so that messages queued before a restart are shown after the
	// console has said who you are.
	ready     chan struct{}
	readyOnce sync.Once

	mu      sync.Mutex // guards out, current, choices, shown, sent
	current Person
	choices map[string][]bot.Choice // by DM channel: the last options shown
	shown   map[string]shownMessage // by the number shown with it
	sent    int
}

// shownMessage is a message the console printed, so that one can answer
// in its thread, pick one of its options or react to it by its number.
type shownMessage struct {
	channel string
	ref     string
	thread  string
	choices []bot.Choice
}

var (
	_ bot.Adapter = (*Adapter)(nil)
	// The console adds reactions but does not read them back: every
	// reaction typed here goes to the bot, so what it stored is the record.
	_ bot.ReactionAdder = (*Adapter)(nil)
	_ bot.HealthChecker = (*Adapter)(nil)
)

// New makes a console adapter.
func New(cfg Config) *Adapter {
	return &Adapter{cfg: cfg, runID: strconv.FormatInt(time.Now().UnixNano(), 36), choices: map[string][]bot.Choice{}, shown: map[string]shownMessage{}, ready: make(chan struct{})}
}

// Platform is bot.Console.
func (a *Adapter) Platform() string { return bot.Console }

// Healthy is always nil: the terminal has no connection to lose.
func (a *Adapter) Healthy() error { return nil }

// DMChannel is the console channel of an actor's direct conversation.
func DMChannel(actorKey string) string { return "dm:" + actorKey }

// Run reads lines until the input ends or ctx is done. Each line becomes
// one event; Run waits for the bot's replies to be shown before reading
// the next, so a transcript reads in order.
func (a *Adapter) Run(ctx context.Context, sink bot.Sink) error {
	people, err := a.cfg.People(ctx)
	if err != nil {
		return fmt.Errorf("console: list actors: %w", err)
	}
	if len(people) == 0 {
		return errors.New("console: the plan has no actors")
	}
	start, ok := a.find(people, a.cfg.Actor)
	if a.cfg.Actor != "" && !ok {
		return fmt.Errorf("console: no actor %q in plan %s; actors: %s", a.cfg.Actor, a.cfg.Plan, keys(people))
	}
	if a.cfg.Actor == "" {
		start = defaultPerson(people)
	}
	if a.cfg.Interactive {
		a.printf("%s\n", a.t("banner"))
	}
	if err := a.become(ctx, sink, start); err != nil {
		return err
	}

	lines := make(chan lineOrErr)
	done := make(chan struct{})
	defer close(done)
	go readLines(a.cfg.In, lines, done)
	for {
		if a.cfg.Interactive {
			a.mu.Lock()
			a.printf("%s> ", a.current.Name)
			a.mu.Unlock()
		}
		var l lineOrErr
		select {
		case <-ctx.Done():
			return nil
		case l = <-lines:
		}
		switch {
		case errors.Is(l.err, io.EOF):
			return nil
		case errors.Is(l.err, errLineTooLong):
			a.printf("%s\n", a.t("too_long"))
			continue
		case l.err != nil:
			return fmt.Errorf("console: read: %w", l.err)
		}
		quit, err := a.line(ctx, sink, people, l.line)
		if err != nil {
			return err
		}
		if quit {
			return nil
		}
	}
}

// line handles one input line; it reports whether the user asked to quit.
func (a *Adapter) line(ctx context.Context, sink bot.Sink, people []Person, line string) (bool, error) {
	trimmed := strings.TrimSpace(line)
	a.mu.Lock()
	p := a.current
	a.mu.Unlock()
	if word, arg, _ := strings.Cut(strings.TrimPrefix(trimmed, "/"), " "); strings.HasPrefix(trimmed, "/") {
		arg = strings.TrimSpace(arg)
		switch strings.ToLower(word) {
		case "avslutt", "quit", "exit":
			return true, nil
		case "som", "as":
			p, ok := a.find(people, arg)
			if !ok {
				a.printf("%s\n", a.t("no_such_actor", arg, keys(people)))
				return false, nil
			}
			return false, a.become(ctx, sink, p)
		case "hvem", "kven", "who":
			a.list(people)
			return false, nil
		case "i", "in":
			// /i KANAL TEKST: write in one of the plan's channels.
			name, text, _ := strings.Cut(arg, " ")
			name = strings.TrimPrefix(name, "#")
			if name == "" || strings.TrimSpace(text) == "" {
				a.printf("%s\n", a.t("usage_in"))
				return false, nil
			}
			ev := a.event(p, store.ConsoleChannel(a.cfg.Plan, name))
			ev.DM = false
			return false, a.emit(ctx, sink, ev, text, nil)
		case "svar", "reply", "velg", "choose", "reager", "react", "fjern", "unreact":
			return false, a.onMessage(ctx, sink, p, strings.ToLower(word), arg)
		}
	}
	channel := DMChannel(p.Key)
	a.mu.Lock()
	pending := a.choices[channel]
	a.mu.Unlock()
	return false, a.emit(ctx, sink, a.event(p, channel), line, pending)
}

// onMessage acts on a message the bot showed with a number: reply in its
// thread, pick one of its options, or react to it.
func (a *Adapter) onMessage(ctx context.Context, sink bot.Sink, p Person, verb, arg string) error {
	num, rest, _ := strings.Cut(arg, " ")
	rest = strings.TrimSpace(rest)
	a.mu.Lock()
	shown, ok := a.shown[strings.Trim(num, "[]")]
	a.mu.Unlock()
	if !ok || rest == "" {
		a.printf("%s\n", a.t("usage_"+verb))
		return nil
	}
	ev := a.event(p, shown.channel)
	ev.DM = strings.HasPrefix(shown.channel, "dm:")
	ev.MessageRef = shown.ref
	switch verb {
	case "svar", "reply":
		ev.Thread = shown.thread
		if ev.Thread == "" {
			ev.Thread = shown.ref
		}
		ev.MessageRef = fmt.Sprintf("in-%s-%d", a.runID, a.seq)
		return a.emit(ctx, sink, ev, rest, nil)
	case "velg", "choose":
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 || n > len(shown.choices) {
			a.printf("%s\n", a.t("pick_number", len(shown.choices)))
			return nil
		}
		ev.Kind, ev.Choice = bot.KindChoice, shown.choices[n-1].ID
		ev.Thread = shown.thread
	case "reager", "react":
		ev.Kind, ev.Emoji = bot.KindReactionAdded, rest
	default:
		ev.Kind, ev.Emoji = bot.KindReactionRemoved, rest
	}
	return a.deliver(ctx, sink, ev)
}

// emit makes an event of what was typed: a number picks one of pending, a
// slash starts a command, anything else is a message.
func (a *Adapter) emit(ctx context.Context, sink bot.Sink, ev bot.Event, text string, pending []bot.Choice) error {
	trimmed := strings.TrimSpace(text)
	switch n, err := strconv.Atoi(trimmed); {
	case err == nil && len(pending) > 0:
		if n < 1 || n > len(pending) {
			a.printf("%s\n", a.t("pick_number", len(pending)))
			return nil
		}
		ev.Kind, ev.Choice = bot.KindChoice, pending[n-1].ID
	case strings.HasPrefix(trimmed, "/"):
		cmd := strings.TrimPrefix(trimmed, "/")
		if rest, ok := strings.CutPrefix(strings.ToLower(cmd), "dugnad"); ok && (rest == "" || rest[0] == ' ') {
			cmd = strings.TrimSpace(cmd[len("dugnad"):])
		}
		word, arg, _ := strings.Cut(cmd, " ")
		ev.Kind, ev.Command, ev.Text = bot.KindCommand, word, strings.TrimSpace(arg)
	default:
		ev.Kind, ev.Text = bot.KindMessage, text
	}
	return a.deliver(ctx, sink, ev)
}

func (a *Adapter) event(p Person, channel string) bot.Event {
	a.seq++
	return bot.Event{
		ID:         fmt.Sprintf("console-%s-%d", a.runID, a.seq),
		Platform:   bot.Console,
		Workspace:  a.cfg.Plan,
		Channel:    channel,
		DM:         true,
		MessageRef: fmt.Sprintf("in-%s-%d", a.runID, a.seq),
		User:       p.Key,
		UserName:   p.Name,
		At:         time.Now().UTC(),
	}
}

// become switches the person at the keyboard and lets the bot greet them
// where their conversation stands.
func (a *Adapter) become(ctx context.Context, sink bot.Sink, p Person) error {
	who := p.Name
	if p.Organisation != "" {
		who += " (" + p.Organisation + ")"
	}
	if roles := a.roleNames(p.Roles); roles != "" {
		who += ", " + roles
	}
	// Under the lock, so that no message is printed between the switch
	// and its announcement; the first switch opens Send.
	a.mu.Lock()
	a.current = p
	a.printf("— %s —\n", a.t("you_are", who))
	a.readyOnce.Do(func() { close(a.ready) })
	a.mu.Unlock()
	ev := a.event(p, DMChannel(p.Key))
	ev.Kind, ev.Command = bot.KindCommand, "resume"
	return a.deliver(ctx, sink, ev)
}

func (a *Adapter) deliver(ctx context.Context, sink bot.Sink, ev bot.Event) error {
	if err := sink.Handle(ctx, ev); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		a.printf("! %s\n", a.t("failed"))
		return fmt.Errorf("console: %w", err)
	}
	if err := sink.Flush(ctx, bot.Console); err != nil && ctx.Err() == nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}

// Send prints a message. Messages to the actor at the keyboard read
// "Dugnad: …"; to another actor, "Dugnad → key: …"; to a channel,
// "Dugnad i #channel: …". Options are numbered.
func (a *Adapter) Send(ctx context.Context, m bot.Message) (string, error) {
	select {
	case <-a.ready:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if user, ok := bot.DMUser(m.Channel); ok { // the console's user IDs are actor keys
		m.Channel = DMChannel(user)
	}
	a.sent++
	// The number is what people type; the reference is unique across
	// runs, so that a number shown after a restart never names an
	// earlier message (a hearing's post, say).
	num := strconv.Itoa(a.sent)
	ref := "console-" + a.runID + "-out-" + num
	if m.Replace != "" {
		// A terminal cannot change what it printed: the update is shown
		// under the same number.
		ref = m.Replace
		num = ref[strings.LastIndex(ref, "-")+1:]
	}
	a.shown[num] = shownMessage{channel: m.Channel, ref: ref, thread: m.Thread, choices: m.Choices}
	head := "Dugnad"
	switch {
	case m.Channel == DMChannel(a.current.Key):
	case strings.HasPrefix(m.Channel, "dm:"):
		head += " → " + strings.TrimPrefix(m.Channel, "dm:")
	default:
		_, name, _ := strings.Cut(m.Channel, "#")
		head += " " + a.t("in") + " #" + name
		if m.Thread != "" {
			head += ", " + a.t("thread")
		}
		head += " [" + num + "]"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", head, indent(sanitize(m.Text)))
	if m.File != nil {
		path, err := a.saveFile(*m.File, num)
		if err != nil {
			return "", bot.Permanent(fmt.Errorf("console: save %s: %w", m.File.Name, err))
		}
		fmt.Fprintf(&b, "  📎 %s\n", path)
	}
	for i, c := range m.Choices {
		fmt.Fprintf(&b, "  %d) %s\n", i+1, sanitize(c.Label))
	}
	if a.cfg.Interactive {
		b.WriteString("\n")
	}
	if strings.HasPrefix(m.Channel, "dm:") {
		a.choices[m.Channel] = m.Choices
	}
	if _, err := io.WriteString(a.cfg.Out, b.String()); err != nil {
		return "", err
	}
	return ref, nil
}

// AddReaction shows the bot's own reactions under its message.
func (a *Adapter) AddReaction(ctx context.Context, channel, messageRef, emoji string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	num := messageRef[strings.LastIndex(messageRef, "-")+1:]
	_, err := fmt.Fprintf(a.cfg.Out, "  [%s] + %s\n", num, sanitize(emoji))
	return err
}

// saveFile writes a file the bot sent, under a name that does not
// overwrite an earlier one, and returns its path.
func (a *Adapter) saveFile(f bot.File, num string) (string, error) {
	dir := a.cfg.FileDir
	if dir == "" {
		dir = "dugnad-filer"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	name := filepath.Base(f.Name)
	if name == "." || name == string(filepath.Separator) || name == "" {
		name = "fil"
	}
	ext := filepath.Ext(name)
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		path = filepath.Join(dir, strings.TrimSuffix(name, ext)+"-"+a.runID+"-"+num+ext)
	}
	if err := os.WriteFile(path, f.Data, 0o644); err != nil {
		return "", err
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, nil
}

func (a *Adapter) printf(format string, args ...any) {
	fmt.Fprintf(a.cfg.Out, format, args...)
}

func (a *Adapter) list(people []Person) {
	var b strings.Builder
	b.WriteString(a.t("people") + "\n")
	for _, p := range people {
		fmt.Fprintf(&b, "  %-22s %s", p.Key, p.Name)
		if p.Organisation != "" {
			fmt.Fprintf(&b, " (%s)", p.Organisation)
		}
		if r := a.roleNames(p.Roles); r != "" {
			fmt.Fprintf(&b, " – %s", r)
		}
		b.WriteString("\n")
	}
	b.WriteString(a.t("switch_hint") + "\n")
	io.WriteString(a.cfg.Out, b.String())
}

// find looks a person up by key, or by a role's name (the first member).
func (a *Adapter) find(people []Person, what string) (Person, bool) {
	what = strings.ToLower(strings.TrimSpace(what))
	for _, p := range people {
		if p.Key == what {
			return p, true
		}
	}
	role := roleByName[what]
	for _, p := range people {
		for _, r := range p.Roles {
			if role != "" && r == role {
				return p, true
			}
		}
	}
	return Person{}, false
}

// defaultPerson is the first actor in no group: someone the plan asks for
// input, the first thing a newcomer should see.
func defaultPerson(people []Person) Person {
	for _, p := range people {
		if len(p.Roles) == 0 {
			return p
		}
	}
	return people[0]
}

func keys(people []Person) string {
	ks := make([]string, len(people))
	for i, p := range people {
		ks[i] = p.Key
	}
	return strings.Join(ks, ", ")
}

// indent continues a message's lines under its head; blank lines stay blank.
func indent(s string) string {
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = "  " + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// sanitize keeps a terminal safe from what it prints: control characters
// other than newline and tab are shown as U+FFFD, so no escape sequence
// written by anyone reaches the terminal.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

var errLineTooLong = errors.New("console: line too long")

type lineOrErr struct {
	line string
	err  error
}

// readLines sends each line of r (without its line ending) until r ends or
// done is closed. A line longer than MaxLine is skipped whole and reported.
func readLines(r io.Reader, out chan<- lineOrErr, done <-chan struct{}) {
	send := func(l lineOrErr) bool {
		select {
		case out <- l:
			return true
		case <-done:
			return false
		}
	}
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		var buf []byte
		tooLong := false
		for {
			chunk, err := br.ReadSlice('\n')
			if len(buf)+len(chunk) > MaxLine {
				tooLong = true
			} else {
				buf = append(buf, chunk...)
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != nil && (len(buf) == 0 && !tooLong) {
				send(lineOrErr{err: err})
				return
			}
			break
		}
		if tooLong {
			if !send(lineOrErr{err: errLineTooLong}) {
				return
			}
			continue
		}
		if !send(lineOrErr{line: strings.TrimRight(string(buf), "\r\n")}) {
			return
		}
	}
}
