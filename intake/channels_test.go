package intake_test

import (
	"context"
	"time"

	"testing"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/intake/intaketest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// channelDriver plays the channel scenarios on the bot core, as the
// console does.
type channelDriver struct{ h *bottest.Harness }

func (d channelDriver) Settle() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.h.Bot.Flush(ctx, d.h.Platform); err != nil {
		d.h.T.Fatal(err)
	}
}
func (d channelDriver) Channel(key string) string { return store.ConsoleChannel(planKey, key) }
func (d channelDriver) Command(actor, channel, text string) {
	ev := d.h.InChannel(actor, channel, "", bot.KindCommand)
	ev.Command, ev.Text = "dugnad", text
	d.h.Send(ev)
}
func (d channelDriver) Post(actor, channel, text string) string {
	ev := d.h.InChannel(actor, channel, "", bot.KindMessage)
	ev.Text = text
	d.h.Send(ev)
	return ev.MessageRef
}
func (d channelDriver) Reply(actor, channel, thread, text string) {
	ev := d.h.InChannel(actor, channel, thread, bot.KindMessage)
	ev.Text = text
	d.h.Send(ev)
}
func (d channelDriver) Posts(channel string) []intaketest.Posted {
	var out []intaketest.Posted
	for _, m := range d.h.Rec.Sent(channel) {
		p := intaketest.Posted{Ref: m.Ref, Thread: m.Thread, Text: m.Text}
		for _, c := range m.Choices {
			p.Buttons = append(p.Buttons, c.Label)
		}
		out = append(out, p)
	}
	return out
}
func (d channelDriver) Click(actor, channel string, p intaketest.Posted, label string) {
	for _, m := range d.h.Rec.Sent(channel) {
		if m.Ref != p.Ref {
			continue
		}
		for _, c := range m.Choices {
			if len(c.Label) >= len(label) && c.Label[:len(label)] == label {
				ev := d.h.InChannel(actor, channel, m.Thread, bot.KindChoice)
				ev.Choice, ev.MessageRef = c.ID, m.Ref
				d.h.Send(ev)
				return
			}
		}
	}
	d.h.T.Fatalf("no button %q on %s", label, p.Ref)
}

func TestIdeaSessionScenario(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		intaketest.IdeaSession(t, s, p, channelDriver{h}, "pl-ingrid", "ext-nav-jonas", "ext-bymisjon")
	})
}

func TestIntakeChannelScenario(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		intaketest.IntakeChannel(t, s, p, channelDriver{h}, "ext-nav-jonas", "ext-ffo")
	})
}
