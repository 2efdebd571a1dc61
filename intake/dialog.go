package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
)

// The guiding-question dialog. Each actor has one dialog, stored as JSON in
// the dialogs table and changed in the transaction of the event that moved
// it, so it survives restarts and moves between processes. Answers are
// drafts inside the dialog until the actor confirms the summary; only then
// do they become suggestions.

type step string

const (
	stepConsent  step = "consent"
	stepDeclined step = "declined"
	stepStrategy step = "strategy"
	stepQuestion step = "question"
	stepBasis    step = "basis"
	stepWho      step = "who"
	stepSummary  step = "summary"
	stepDiscard  step = "confirm_discard"
	stepForget   step = "confirm_forget"
	stepPaused   step = "paused"
	stepFinished step = "finished"
)

type state struct {
	Step step `json:"step"`
	// Return is where a pause or a confirmation goes back to.
	Return   step           `json:"return,omitempty"`
	Lang     store.Language `json:"lang,omitempty"` // chosen in the chat; empty: the actor's or the plan's
	Strategy string         `json:"strategy,omitempty"`
	Queue    []string       `json:"queue,omitempty"` // strategies still to go, when going through all
	Question int            `json:"question,omitempty"`
	Drafts   []draft        `json:"drafts,omitempty"`
	Filed    []string       `json:"filed,omitempty"` // strategies answered in this dialog
	// Invited is the strategy an invitation asked about; the dialog goes
	// there once the actor has agreed.
	Invited string `json:"invited,omitempty"`
	// Prompt numbers the place in the dialog; a choice carries the number
	// of the prompt it was offered with, so a stale button is recognised.
	Prompt    int    `json:"prompt"`
	PromptPos string `json:"prompt_pos,omitempty"`
}

type draft struct {
	Strategy string          `json:"strategy"`
	Question int             `json:"question"`
	Text     string          `json:"text"`
	Basis    store.Basis     `json:"basis,omitempty"`
	Who      store.WhoActs   `json:"who,omitempty"`
	Source   store.SourceRef `json:"source"`
	At       time.Time       `json:"at"`
}

// summary is what the audit log keeps of a dialog change: where the actor
// is, not what they wrote.
func (s state) summary() map[string]any {
	return map[string]any{"step": s.Step, "strategy": s.Strategy, "question": s.Question, "drafts": len(s.Drafts), "lang": s.Lang}
}

// option is a choice offered at a prompt, with words that pick it when typed.
type option struct {
	id    string // the whole choice ID, for choices not bound to the prompt
	value string
	label string
	style bot.Style
	words []string
}

type conv struct {
	ctx    context.Context
	tx     *store.Tx
	req    *bot.Request
	plan   store.Plan
	actor  store.Actor
	dialog store.Dialog
	st     state
	before map[string]any

	paras   []string
	options []option
	global  bool // the options are global (a language pick), not bound to the prompt
}

func converse(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
	c := &conv{ctx: ctx, tx: tx, req: req, plan: *req.Plan, actor: *req.Actor}
	d, err := tx.DialogByActor(ctx, c.actor.ID)
	isNew := errors.Is(err, store.ErrNotFound)
	switch {
	case isNew:
		c.dialog = store.Dialog{PlanID: c.plan.ID, ActorID: c.actor.ID}
		c.st.Step = stepConsent
		if c.actor.ConsentedAt != nil {
			c.st.Step = stepStrategy
		}
	case err != nil:
		return nil, err
	default:
		c.dialog = d
		if err := json.Unmarshal(d.State, &c.st); err != nil {
			return nil, fmt.Errorf("intake: dialog %d state: %w", d.ID, err)
		}
		c.before = c.st.summary()
	}

	if err := c.dispatch(isNew); err != nil {
		return nil, err
	}

	c.dialog.Platform, c.dialog.Channel = req.Platform, req.Channel
	raw, err := json.Marshal(c.st)
	if err != nil {
		return nil, err
	}
	c.dialog.State = raw
	out := []bot.Message{c.message()}
	if u, ok := bot.ChoiceMade(req.Event); ok {
		out = append([]bot.Message{u}, out...)
	}
	var before any
	if c.before != nil {
		before = c.before
	}
	if _, err := tx.SaveDialog(ctx, req.By(), c.dialog, before, c.st.summary()); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *conv) lang() store.Language {
	switch {
	case c.st.Lang != "":
		return c.st.Lang
	case c.actor.Language != "":
		return c.actor.Language
	}
	return c.plan.Language
}

func (c *conv) t(key string, args ...any) string { return tr(c.lang(), key, args...) }

func (c *conv) say(text string) { c.paras = append(c.paras, text) }

func (c *conv) message() bot.Message {
	var choices []bot.Choice
	for _, o := range c.options {
		id := strconv.Itoa(c.st.Prompt) + "|" + o.value
		switch {
		case o.id != "":
			id = o.id
		case c.global:
			id = "g|" + o.value
		}
		choices = append(choices, bot.Choice{ID: id, Label: o.label, Style: o.style})
	}
	return c.req.Reply(strings.Join(c.paras, "\n\n"), choices...)
}

// dispatch routes the event to the step.
func (c *conv) dispatch(isNew bool) error {
	ev := c.req.Event
	switch ev.Kind {
	case bot.KindCommand:
		cmd, arg, ok := parseCommand(strings.TrimSpace(ev.Command + " " + ev.Text))
		if !ok {
			c.say(c.t("help"))
			return c.prompt()
		}
		return c.command(cmd, arg)
	case bot.KindChoice:
		return c.choice(ev.Choice)
	case bot.KindMessage:
		if cmd, arg, ok := dialogCommand(ev.Text); ok {
			return c.command(cmd, arg)
		}
		if isNew {
			// A first message opens the dialog; nothing is stored
			// before the actor agrees.
			if c.st.Step == stepStrategy {
				c.say(c.t("welcome_back"))
			}
			return c.prompt()
		}
		return c.text(ev.Text)
	}
	return c.prompt()
}

func (c *conv) command(cmd command, arg string) error {
	switch cmd {
	case cmdHelp:
		c.say(c.t("help"))
		return c.prompt()
	case cmdLanguage:
		l, ok := parseLanguage(arg)
		if !ok {
			c.say(c.t("language_prompt"))
			c.global = true
			for _, l := range store.Languages {
				c.options = append(c.options, option{value: "lang:" + string(l), label: languageNames[l]})
			}
			return nil
		}
		return c.setLanguage(l)
	case cmdMine:
		return c.mine()
	case cmdForget:
		return c.forget()
	case cmdStart:
		if c.actor.ConsentedAt == nil {
			return c.enter(stepConsent)
		}
		c.st.Return = ""
		return c.enter(stepStrategy)
	case cmdStop:
		return c.stop()
	case cmdResume:
		if c.st.Step == stepPaused {
			c.say(c.t("welcome_back"))
			return c.enter(c.st.Return)
		}
		if c.st.Step == stepConsent {
			// Someone invited who has not answered the invitation comes
			// back to it.
			if shown, err := c.showInvitation(); shown || err != nil {
				return err
			}
		}
		return c.prompt()
	case cmdSkip:
		return c.skip()
	case cmdBack:
		return c.back()
	}
	return c.prompt()
}

func (c *conv) choice(id string) error {
	prefix, value, ok := strings.Cut(id, "|")
	if !ok {
		c.say(c.t("stale_choice"))
		return c.prompt()
	}
	if prefix == "inv" {
		return c.invitation(value)
	}
	if prefix == "g" {
		if l, ok := strings.CutPrefix(value, "lang:"); ok {
			if lang, ok := parseLanguage(l); ok {
				return c.setLanguage(lang)
			}
		}
		return c.prompt()
	}
	if n, err := strconv.Atoi(prefix); err != nil || n != c.st.Prompt {
		c.say(c.t("stale_choice"))
		return c.prompt()
	}
	return c.pick(value)
}

// pick acts on a choice of the current prompt.
func (c *conv) pick(value string) error {
	kind, arg, _ := strings.Cut(value, ":")
	switch c.st.Step {
	case stepConsent, stepDeclined:
		if value == "consent:yes" {
			a, err := c.tx.RecordConsent(c.ctx, c.req.By(), c.actor)
			if err != nil {
				return err
			}
			c.actor = a
			if _, err := c.tx.MarkInvitation(c.ctx, c.req.By(), c.actor.ID, store.MarkStarted); err != nil {
				return err
			}
			c.say(c.t("consented"))
			return c.toStrategy(c.st.Invited)
		}
		if value == "consent:no" {
			return c.enter(stepDeclined)
		}
	case stepStrategy:
		switch {
		case value == "done":
			if len(c.st.Filed) > 0 {
				if _, err := c.tx.MarkInvitation(c.ctx, c.req.By(), c.actor.ID, store.MarkFinished); err != nil {
					return err
				}
			}
			return c.enter(stepFinished)
		case value == "strategy:*":
			keys, err := c.strategyKeys()
			if err != nil {
				return err
			}
			c.st.Strategy, c.st.Queue, c.st.Question = keys[0], keys[1:], 1
			return c.enter(stepQuestion)
		case kind == "strategy":
			keys, err := c.strategyKeys()
			if err != nil {
				return err
			}
			for _, k := range keys {
				if k == arg {
					c.st.Strategy, c.st.Queue, c.st.Question = arg, nil, 1
					return c.enter(stepQuestion)
				}
			}
		}
	case stepQuestion:
		switch value {
		case "keep", "skip":
			return c.nextQuestion()
		case "remove":
			c.removeDraft(c.st.Strategy, c.st.Question)
			c.say(c.t("answer_removed"))
			return c.nextQuestion()
		}
	case stepBasis:
		if kind == "basis" {
			if d := c.draft(); d != nil {
				d.Basis = store.Basis(arg)
			}
			return c.enter(stepWho)
		}
	case stepWho:
		if kind == "who" {
			if d := c.draft(); d != nil {
				d.Who = store.WhoActs(arg)
			}
			return c.nextQuestion()
		}
	case stepSummary:
		switch value {
		case "submit":
			return c.submit()
		case "review":
			c.st.Question = 1
			return c.enter(stepQuestion)
		case "discard":
			return c.enter(stepDiscard)
		}
	case stepDiscard:
		if value == "yes" {
			c.dropDrafts(c.st.Strategy)
			c.say(c.t("discarded"))
			return c.afterStrategy()
		}
		return c.enter(stepSummary)
	case stepForget:
		if value == "yes" {
			n, err := c.tx.UnlinkActor(c.ctx, c.req.By(), c.actor)
			if err != nil {
				return err
			}
			c.say(c.t("forgotten", n))
		} else {
			c.say(c.t("cancelled"))
		}
		return c.enter(c.st.Return)
	case stepPaused:
		c.say(c.t("welcome_back"))
		return c.enter(c.st.Return)
	case stepFinished:
		return c.enter(stepStrategy)
	}
	switch value {
	case "back":
		return c.back()
	case "stop":
		return c.stop()
	case "skip":
		return c.skip()
	}
	c.say(c.t("stale_choice"))
	return c.prompt()
}

// text handles a typed message that is not a command.
func (c *conv) text(text string) error {
	switch c.st.Step {
	case stepQuestion:
		if problem := textProblem(c.lang(), text); problem != "" {
			c.say(problem)
			return c.prompt()
		}
		c.removeDraft(c.st.Strategy, c.st.Question)
		c.st.Drafts = append(c.st.Drafts, draft{Strategy: c.st.Strategy, Question: c.st.Question, Text: text,
			Source: store.SourceRef{Platform: c.req.Platform, Channel: c.req.Channel, Ref: c.req.MessageRef},
			At:     time.Now().UTC()})
		return c.enter(stepBasis)
	case stepDeclined:
		return c.enter(stepConsent)
	case stepPaused:
		c.say(c.t("resumed_unsaved"))
		return c.enter(c.st.Return)
	case stepFinished:
		return c.enter(stepStrategy)
	}
	// A step that offers choices: typed words pick one.
	if err := c.buildOptions(); err != nil {
		return err
	}
	typed := strings.ToLower(strings.TrimSpace(text))
	for _, o := range c.options {
		if typed == strings.ToLower(o.label) {
			c.options = nil
			return c.pick(o.value)
		}
		for _, w := range o.words {
			if typed == w {
				c.options = nil
				return c.pick(o.value)
			}
		}
	}
	c.options = nil
	if c.st.Step == stepConsent {
		c.say(c.t("consent_needed"))
	} else {
		c.say(c.t("pick_one"))
	}
	return c.prompt()
}

func (c *conv) setLanguage(l store.Language) error {
	c.st.Lang = l
	c.say(c.t("language_set"))
	return c.prompt()
}

func (c *conv) stop() error {
	switch c.st.Step {
	case stepConsent:
		return c.enter(stepDeclined)
	case stepPaused, stepDeclined, stepFinished:
		return c.prompt()
	case stepForget:
		c.st.Step = c.st.Return
	}
	c.st.Return = c.st.Step
	return c.enter(stepPaused)
}

func (c *conv) skip() error {
	switch c.st.Step {
	case stepQuestion:
		return c.nextQuestion()
	case stepBasis:
		return c.enter(stepWho)
	case stepWho:
		return c.nextQuestion()
	}
	c.say(c.t("cant_here"))
	return c.prompt()
}

func (c *conv) back() error {
	switch c.st.Step {
	case stepQuestion:
		if c.st.Question > 1 {
			c.st.Question--
			return c.enter(stepQuestion)
		}
		return c.enter(stepStrategy)
	case stepBasis:
		return c.enter(stepQuestion)
	case stepWho:
		return c.enter(stepBasis)
	case stepSummary:
		c.st.Question = store.QuestionCount
		return c.enter(stepQuestion)
	case stepDiscard:
		return c.enter(stepSummary)
	case stepForget:
		c.say(c.t("cancelled"))
		return c.enter(c.st.Return)
	}
	c.say(c.t("cant_here"))
	return c.prompt()
}

func (c *conv) nextQuestion() error {
	if c.st.Question < store.QuestionCount {
		c.st.Question++
		return c.enter(stepQuestion)
	}
	if len(c.draftsFor(c.st.Strategy)) == 0 {
		c.say(c.t("no_answers", c.st.Strategy))
		return c.afterStrategy()
	}
	return c.enter(stepSummary)
}

func (c *conv) afterStrategy() error {
	if len(c.st.Queue) > 0 {
		c.st.Strategy, c.st.Queue, c.st.Question = c.st.Queue[0], c.st.Queue[1:], 1
		return c.enter(stepQuestion)
	}
	c.st.Strategy, c.st.Question = "", 0
	return c.enter(stepStrategy)
}

// submit files the current strategy's drafts as suggestions.
func (c *conv) submit() error {
	drafts := c.draftsFor(c.st.Strategy)
	var strategyID int64
	switch s, err := c.tx.StrategyByKey(c.ctx, c.plan.ID, c.st.Strategy); {
	case err == nil:
		strategyID = s.ID
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	// A strategy archived since the actor began keeps its answers, unfiled.
	for _, d := range drafts {
		_, err := c.tx.FileSuggestion(c.ctx, c.req.By(), store.Suggestion{
			PlanID: c.plan.ID, StrategyID: strategyID, Question: d.Question, Text: d.Text, Language: c.lang(),
			ActorID: c.actor.ID, Basis: d.Basis, WhoActs: d.Who, Origin: store.OriginDialog, Source: d.Source})
		if err != nil {
			return err
		}
	}
	c.dropDrafts(c.st.Strategy)
	c.st.Filed = append(c.st.Filed, c.st.Strategy)
	c.say(c.t("filed", len(drafts), c.st.Strategy))
	if done, err := c.answeredWhatWasAsked(); err != nil {
		return err
	} else if done {
		if _, err := c.tx.MarkInvitation(c.ctx, c.req.By(), c.actor.ID, store.MarkFinished); err != nil {
			return err
		}
	}
	return c.afterStrategy()
}

// answeredWhatWasAsked reports whether the actor has now answered what
// their invitation asked about: its strategy, or all of theirs.
func (c *conv) answeredWhatWasAsked() (bool, error) {
	inv, err := c.tx.InvitationByActor(c.ctx, c.actor.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	filed := map[string]bool{}
	for _, k := range c.st.Filed {
		filed[k] = true
	}
	if inv.StrategyKey != "" {
		return filed[inv.StrategyKey], nil
	}
	keys, err := c.strategyKeys()
	if err != nil {
		return false, err
	}
	for _, k := range keys {
		if !filed[k] {
			return false, nil
		}
	}
	return true, nil
}

// toStrategy goes to a strategy's first question when key is one of the
// actor's strategies, else to the choice of strategy.
func (c *conv) toStrategy(key string) error {
	if key != "" {
		keys, err := c.strategyKeys()
		if err != nil {
			return err
		}
		for _, k := range keys {
			if k == key {
				c.st.Strategy, c.st.Queue, c.st.Question = key, nil, 1
				return c.enter(stepQuestion)
			}
		}
	}
	return c.enter(stepStrategy)
}

// showInvitation shows the actor's invitation again if it waits for an
// answer; it reports whether it did.
func (c *conv) showInvitation() (bool, error) {
	inv, err := c.tx.InvitationByActor(c.ctx, c.actor.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (inv.StartedAt != nil || inv.DeclinedAt != nil)) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	leader, err := projectLeaderName(c.ctx, c.tx, c.plan)
	if err != nil {
		return false, err
	}
	var strategy store.Strategy
	if inv.StrategyKey != "" {
		if strategy, err = c.strategy(inv.StrategyKey); err != nil {
			return false, err
		}
	}
	m, err := invitationMessage(c.ctx, c.tx, c.plan, c.actor, inv, leader, strategy)
	if err != nil {
		return false, err
	}
	c.say(m.Text)
	c.options = nil
	for _, ch := range m.Choices {
		c.options = append(c.options, option{id: ch.ID, label: ch.Label, style: ch.Style})
	}
	return true, nil
}

// invitation acts on the buttons of an invitation or a reminder.
func (c *conv) invitation(value string) error {
	inv, err := c.tx.InvitationByActor(c.ctx, c.actor.ID)
	if errors.Is(err, store.ErrNotFound) {
		return c.prompt()
	} else if err != nil {
		return err
	}
	switch value {
	case "start":
		if _, err := c.tx.MarkInvitation(c.ctx, c.req.By(), c.actor.ID, store.MarkStarted); err != nil {
			return err
		}
		c.st.Invited = inv.StrategyKey
		if c.actor.ConsentedAt == nil {
			return c.enter(stepConsent)
		}
		return c.toStrategy(inv.StrategyKey)
	case "later":
		at := time.Now().Add(remindLaterAfter)
		if err := c.tx.RemindLater(c.ctx, c.req.By(), c.actor.ID, at); err != nil {
			return err
		}
		c.say(c.t("later_ok", longDate(c.lang(), at.In(c.plan.Location()))))
		return nil
	case "decline":
		if _, err := c.tx.MarkInvitation(c.ctx, c.req.By(), c.actor.ID, store.MarkDeclined); err != nil {
			return err
		}
		c.say(c.t("declined_invite"))
		return nil
	case "resume":
		return c.command(cmdResume, "")
	}
	return c.prompt()
}

func (c *conv) mine() error {
	list, err := c.tx.SuggestionsByActor(c.ctx, c.actor.ID)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		c.say(c.t("mine_none"))
	} else {
		lines := []string{c.t("mine_header", len(list))}
		loc := c.plan.Location()
		for _, s := range list {
			lines = append(lines, c.t("mine_line", s.CreatedAt.In(loc).Format("2.1.2006"), s.StrategyKey, s.Question, display(s.Text, 200)))
		}
		c.say(strings.Join(lines, "\n"))
	}
	if n := len(c.st.Drafts); n > 0 {
		c.say(c.t("mine_drafts", n))
	}
	return c.prompt()
}

func (c *conv) forget() error {
	list, err := c.tx.SuggestionsByActor(c.ctx, c.actor.ID)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		c.say(c.t("forget_none"))
		return c.prompt()
	}
	if c.st.Step != stepForget {
		ret := c.st.Step
		if ret == stepPaused {
			ret = c.st.Return
		}
		c.st.Return = ret
	}
	return c.enter(stepForget)
}

// enter moves to a step and shows its prompt.
func (c *conv) enter(s step) error {
	if s == "" {
		s = stepStrategy
	}
	c.st.Step = s
	return c.prompt()
}

// prompt shows the current step's question and choices. A place in the
// dialog shown again keeps its prompt number, so its buttons stay valid.
func (c *conv) prompt() error {
	pos := fmt.Sprintf("%s/%s/%d", c.st.Step, c.st.Strategy, c.st.Question)
	if pos != c.st.PromptPos {
		c.st.Prompt++
		c.st.PromptPos = pos
	}
	switch c.st.Step {
	case stepConsent:
		leader := "?"
		switch ls, err := c.tx.Members(c.ctx, c.plan.ID, store.RoleProjectLeader); {
		case err != nil:
			return err
		case len(ls) > 0:
			leader = ls[0].Name
		}
		c.say(c.t("intro", c.actor.Name, c.plan.Municipality, c.plan.Title, leader))
	case stepDeclined:
		c.say(c.t("declined"))
	case stepStrategy:
		if len(c.st.Filed) > 0 {
			c.say(c.t("choose_another"))
		} else {
			c.say(c.t("choose_strategy"))
		}
	case stepQuestion:
		s, err := c.strategy(c.st.Strategy)
		if err != nil {
			return err
		}
		if c.st.Question == 1 {
			intro := c.t("strategy_intro", s.Key, s.Title)
			if s.Description != "" {
				intro += "\n" + s.Description
			}
			c.say(intro)
		}
		c.say(c.t("question", c.st.Question, store.QuestionCount, s.Key, Question(c.lang(), c.st.Question)))
		if d := c.draft(); d != nil {
			c.say(c.t("has_draft", display(d.Text, 500)))
		} else {
			c.say(c.t("write_answer"))
		}
	case stepBasis:
		c.say(c.t("basis_prompt"))
	case stepWho:
		c.say(c.t("who_prompt"))
	case stepSummary:
		s, err := c.strategy(c.st.Strategy)
		if err != nil {
			return err
		}
		drafts := c.draftsFor(c.st.Strategy)
		lines := []string{c.t("summary", s.Key, s.Title)}
		for i, d := range drafts {
			line := c.t("summary_line", i+1, d.Question, display(d.Text, 300))
			if a := c.assessments(d); a != "" {
				line += " (" + a + ")"
			}
			lines = append(lines, line)
		}
		c.say(strings.Join(lines, "\n"))
		if len(drafts) == 1 {
			c.say(c.t("summary_one"))
		} else {
			c.say(c.t("summary_many", len(drafts)))
		}
	case stepDiscard:
		c.say(c.t("confirm_discard", len(c.draftsFor(c.st.Strategy)), c.st.Strategy))
	case stepForget:
		list, err := c.tx.SuggestionsByActor(c.ctx, c.actor.ID)
		if err != nil {
			return err
		}
		c.say(c.t("forget_confirm", len(list)))
	case stepPaused:
		c.say(c.t("paused"))
		if n := len(c.st.Drafts); n > 0 {
			c.say(c.t("paused_drafts", n))
		}
	case stepFinished:
		c.say(c.t("finished"))
	}
	return c.buildOptions()
}

// buildOptions sets the choices of the current step.
func (c *conv) buildOptions() error {
	c.global = false
	c.options = nil
	add := func(value, key string, style bot.Style, words ...string) {
		c.options = append(c.options, option{value: value, label: c.t(key), style: style, words: words})
	}
	switch c.st.Step {
	case stepConsent, stepDeclined:
		add("consent:yes", "consent_yes", bot.StylePrimary, "ja", "yes", "ok", "j", "y")
		if c.st.Step == stepConsent {
			add("consent:no", "consent_no", bot.StylePlain, "nei", "no", "n")
		}
	case stepStrategy:
		list, err := c.strategies()
		if err != nil {
			return err
		}
		for _, s := range list {
			c.options = append(c.options, option{value: "strategy:" + s.Key, label: s.Key + " – " + s.Title, words: []string{strings.ToLower(s.Key)}})
		}
		if len(list) > 1 {
			add("strategy:*", "all_in_turn", bot.StylePrimary, "alle", "all")
		}
		if len(c.st.Filed) > 0 || len(c.st.Drafts) > 0 {
			add("done", "done_for_now", bot.StylePlain, "ferdig", "done")
		}
	case stepQuestion:
		if c.draft() != nil {
			add("keep", "keep_answer", bot.StylePrimary, "behold", "behald", "keep")
			add("remove", "remove_answer", bot.StyleDanger, "fjern", "remove")
		} else {
			add("skip", "skip", bot.StylePlain)
		}
		add("back", "back", bot.StylePlain)
		add("stop", "stop", bot.StylePlain)
	case stepBasis:
		for _, b := range store.Bases {
			label := basisLabels[b][c.lang().Index()]
			words := map[store.Basis][]string{store.BasisMust: {"ma", "maa", "må", "must"}, store.BasisShould: {"bor", "bør", "should"},
				store.BasisWill: {"vil", "will"}, store.BasisCan: {"kan", "can"}}[b]
			c.options = append(c.options, option{value: "basis:" + string(b), label: label, words: words})
		}
		add("basis:", "dont_know", bot.StylePlain, "vet ikke", "veit ikkje", "don't know")
	case stepWho:
		for _, w := range store.WhoActsAll {
			words := map[store.WhoActs][]string{store.WhoSelf: {"selv", "sjølv", "self"}, store.WhoTogether: {"sammen", "saman", "together"},
				store.WhoOthers: {"overlate", "andre", "others"}}[w]
			c.options = append(c.options, option{value: "who:" + string(w), label: whoLabels[w][c.lang().Index()], words: words})
		}
		add("who:", "dont_know", bot.StylePlain, "vet ikke", "veit ikkje", "don't know")
	case stepSummary:
		add("submit", "submit", bot.StylePrimary, "ja", "yes", "send")
		add("review", "review", bot.StylePlain)
		add("discard", "discard", bot.StyleDanger, "forkast")
	case stepDiscard:
		add("yes", "yes_discard", bot.StyleDanger, "ja", "yes")
		add("no", "no_keep", bot.StylePlain, "nei", "no")
	case stepForget:
		add("yes", "yes_forget", bot.StyleDanger, "ja", "yes")
		add("no", "cancel", bot.StylePlain, "nei", "no", "avbryt", "cancel")
	case stepPaused:
		add("resume", "resume", bot.StylePrimary)
	case stepFinished:
		add("more", "give_more", bot.StylePrimary)
	}
	return nil
}

func (c *conv) assessments(d draft) string {
	var parts []string
	if d.Basis != "" {
		parts = append(parts, strings.ToLower(basisLabels[d.Basis][c.lang().Index()]))
	}
	if d.Who != "" {
		parts = append(parts, strings.ToLower(whoLabels[d.Who][c.lang().Index()]))
	}
	return strings.Join(parts, ", ")
}

// strategies lists the strategies this actor is asked about: those the
// plan assigns them, or all.
func (c *conv) strategies() ([]store.Strategy, error) {
	all, err := c.tx.Strategies(c.ctx, c.plan.ID)
	if err != nil {
		return nil, err
	}
	assigned, err := c.tx.ActorStrategies(c.ctx, c.actor.ID)
	if err != nil || len(assigned) == 0 {
		return all, err
	}
	var out []store.Strategy
	for _, s := range all {
		for _, k := range assigned {
			if s.Key == k {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return all, nil
	}
	return out, nil
}

func (c *conv) strategyKeys() ([]string, error) {
	list, err := c.strategies()
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(list))
	for i, s := range list {
		keys[i] = s.Key
	}
	return keys, nil
}

// strategy returns a strategy by key, including one archived since the
// actor chose it.
func (c *conv) strategy(key string) (store.Strategy, error) {
	all, err := c.tx.AllStrategies(c.ctx, c.plan.ID)
	if err != nil {
		return store.Strategy{}, err
	}
	for _, s := range all {
		if s.Key == key {
			return s, nil
		}
	}
	return store.Strategy{Key: key, Title: key}, nil
}

func (c *conv) draft() *draft {
	for i := range c.st.Drafts {
		d := &c.st.Drafts[i]
		if d.Strategy == c.st.Strategy && d.Question == c.st.Question {
			return d
		}
	}
	return nil
}

func (c *conv) draftsFor(strategy string) []draft {
	var out []draft
	for _, d := range c.st.Drafts {
		if d.Strategy == strategy {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Question < out[j].Question })
	return out
}

func (c *conv) removeDraft(strategy string, question int) {
	kept := c.st.Drafts[:0]
	for _, d := range c.st.Drafts {
		if d.Strategy != strategy || d.Question != question {
			kept = append(kept, d)
		}
	}
	c.st.Drafts = kept
}

func (c *conv) dropDrafts(strategy string) {
	kept := c.st.Drafts[:0]
	for _, d := range c.st.Drafts {
		if d.Strategy != strategy {
			kept = append(kept, d)
		}
	}
	c.st.Drafts = kept
}
