package console_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/adapters/console"
	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

func loadPlan(t *testing.T, s *store.Store) store.Plan { return storetest.LoadExample(t, s, nil) }

// syncBuffer is an output the test can read while the console writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runConsole runs the bot with a console reading in, as actor, until in
// ends or ctx is cancelled.
func runConsole(ctx context.Context, t *testing.T, s *store.Store, p store.Plan, actor string, in io.Reader, out io.Writer) error {
	t.Helper()
	con := console.New(console.Config{In: in, Out: out, Plan: p.Key, Language: string(p.Language), Actor: actor,
		People: func(ctx context.Context) ([]console.Person, error) {
			actors, err := s.Actors(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			var ps []console.Person
			for _, a := range actors {
				roles, _ := s.ActorRoles(ctx, a.ID)
				pp := console.Person{Key: a.Key, Name: a.Name, Organisation: a.Organisation}
				for _, r := range roles {
					pp.Roles = append(pp.Roles, string(r))
				}
				ps = append(ps, pp)
			}
			return ps, nil
		}})
	b := bot.New(s, intake.New(nil), bot.Config{PollInterval: 20 * time.Millisecond}, con)
	return b.Run(ctx)
}

func script(lines ...string) io.Reader { return strings.NewReader(strings.Join(lines, "\n") + "\n") }

func TestScriptedConversationInBokmal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := loadPlan(t, s)
		var out syncBuffer
		in := script(
			"Hei",
			"1", // ja, jeg vil være med
			"2", // S3 (Jonas is asked about S1, S3, S5, S7, S10)
			"Kommunen bør gi svar på søknad om depositumsgaranti innen to virkedager.",
			"2", // bør
			"2", // sammen med andre
			"hopp",
			"NAV og kommunen bør ha felles kontordag for utleiere.",
			"1", // må
			"3", // overlate til andre
			"hopp", "hopp", "hopp", "hopp",
			"1", // send inn
		)
		if err := runConsole(context.Background(), t, s, p, "ext-nav-jonas", in, &out); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		for _, want := range []string{"— Du er nå Jonas Berg (NAV Fjordvik), referansegruppe —", "Dugnad: Hei, Jonas Berg!", "  1) Ja, jeg vil være med",
			"Spørsmål 1 av 7 (strategi S3)", "Takk! 2 innspill er sendt inn til strategi S3."} {
			if !strings.Contains(text, want) {
				t.Fatalf("output lacks %q:\n%s", want, text)
			}
		}
		got, _ := s.Suggestions(context.Background(), p.ID)
		if len(got) != 2 {
			t.Fatalf("%d suggestions, want 2\n%s", len(got), text)
		}
		want := []store.Suggestion{
			{StrategyKey: "S3", Question: 1, Text: "Kommunen bør gi svar på søknad om depositumsgaranti innen to virkedager.", Basis: store.BasisShould, WhoActs: store.WhoTogether},
			{StrategyKey: "S3", Question: 3, Text: "NAV og kommunen bør ha felles kontordag for utleiere.", Basis: store.BasisMust, WhoActs: store.WhoOthers},
		}
		for i, w := range want {
			g := got[i]
			if g.StrategyKey != w.StrategyKey || g.Question != w.Question || g.Text != w.Text || g.Basis != w.Basis || g.WhoActs != w.WhoActs || g.ActorKey != "ext-nav-jonas" || g.Language != store.Bokmal {
				t.Errorf("suggestion %d = %+v\nwant %+v", i, g, w)
			}
		}
	})
}

func TestScriptedConversationInEnglish(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := loadPlan(t, s)
		var out syncBuffer
		in := script(
			"language en",
			"yes",
			"S4", // typed strategy key
			"Every new municipal flat should meet universal design standards.",
			"can",
			"1", // the municipality itself
			"skip", "skip", "skip", "skip", "skip", "skip",
			"Submit",
		)
		if err := runConsole(context.Background(), t, s, p, "ext-ffo", in, &out); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		for _, want := range []string{"I will write in English now.", "Will you take part?", "Question 1 of 7 (strategy S4)",
			"What is the basis for this suggestion?", "Who should do this?", "Thank you! 1 suggestion(s) submitted for strategy S4."} {
			if !strings.Contains(text, want) {
				t.Fatalf("output lacks %q:\n%s", want, text)
			}
		}
		got, _ := s.Suggestions(context.Background(), p.ID)
		if len(got) != 1 || got[0].StrategyKey != "S4" || got[0].Question != 1 || got[0].Basis != store.BasisCan ||
			got[0].WhoActs != store.WhoSelf || got[0].Language != store.English || got[0].ActorKey != "ext-ffo" {
			t.Fatalf("suggestions = %+v\n%s", got, text)
		}
	})
}

// TestStopMidDialogAndStartAgain stops the bot while the actor is at a
// question, with an answer not yet confirmed, and starts it again on the
// same database.
func TestStopMidDialogAndStartAgain(t *testing.T) {
	t.Parallel()
	storetest.EachBackend(t, func(t *testing.T, b storetest.Backend) {
		s1 := storetest.Open(t, b.URL)
		p := loadPlan(t, s1)
		pr, pw := io.Pipe()
		var out syncBuffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- runConsole(ctx, t, s1, p, "ext-bymisjon", pr, &out) }()
		for _, l := range []string{"hei", "1", "1", "Housing First må utvides til unge.", "1", "2",
			"Flere miljøarbeidere på kveldstid", "4", "1"} {
			io.WriteString(pw, l+"\n")
		}
		waitFor(t, &out, "Spørsmål 3 av 7 (strategi S5)")
		cancel() // the bot stops mid-dialog
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		pw.Close()
		s1.Close()

		s2 := storetest.Open(t, b.URL)
		var out2 syncBuffer
		in := script("Tettere samarbeid mellom NAV og boligkontoret", "5", "2", "hopp", "hopp", "hopp", "hopp", "1")
		if err := runConsole(context.Background(), t, s2, p, "ext-bymisjon", in, &out2); err != nil {
			t.Fatal(err)
		}
		text := out2.String()
		first := text[strings.Index(text, "Dugnad:"):]
		if !strings.HasPrefix(first, "Dugnad: Spørsmål 3 av 7 (strategi S5)") {
			t.Fatalf("after the restart the actor is not at question 3:\n%s", text)
		}
		got, _ := s2.Suggestions(context.Background(), p.ID)
		if len(got) != 3 {
			t.Fatalf("%d suggestions after the restart, want 3:\n%s", len(got), text)
		}
		for i, w := range []struct {
			q     int
			text  string
			basis store.Basis
		}{{1, "Housing First må utvides til unge.", store.BasisMust}, {2, "Flere miljøarbeidere på kveldstid", store.BasisCan}, {3, "Tettere samarbeid mellom NAV og boligkontoret", ""}} {
			if got[i].Question != w.q || got[i].Text != w.text || got[i].Basis != w.basis {
				t.Errorf("suggestion %d = %+v, want %+v", i, got[i], w)
			}
		}
	})
}

func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q:\n%s", want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConsoleCommandsAndBadLines(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	p := loadPlan(t, s)
	var out syncBuffer
	in := script(
		"9",                  // out of range at the consent prompt
		"/hvem",              // list actors
		"/som nobody",        // unknown
		"/som prosjektleder", // by role
		"/som pg-oddvar",     // nynorsk actor
		strings.Repeat("x", console.MaxLine+10),
		"/dugnad hjelp",
		"/avslutt",
		"never read",
	)
	if err := runConsole(context.Background(), t, s, p, "ext-ffo", in, &out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"Velg et tall fra 1 til 2.",
		"Aktører i planen:", "pl-ingrid", "Ingrid Haugland (Fjordvik kommune, Boligkontoret) – prosjektleder",
		"Ingen aktør eller rolle heter «nobody».",
		"— Du er nå Ingrid Haugland (Fjordvik kommune, Boligkontoret), prosjektleder —",
		"— Du er nå Oddvar Nesheim (Fjordvik kommune, Plan og bygg), prosjektgruppe —", "Eg er Dugnad",
		"Linjen er lengre enn 1 MiB og ble ikke sendt.",
		"Dette kan du skrive når som helst:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(text, "never read") {
		t.Error("input after /avslutt was read")
	}
}

func TestSendKeepsEscapeSequencesAwayFromTheTerminal(t *testing.T) {
	var out bytes.Buffer
	a := console.New(console.Config{Out: &out, In: strings.NewReader(""), People: func(context.Context) ([]console.Person, error) {
		return []console.Person{{Key: "me", Name: "Meg"}}, nil
	}})
	if err := a.Run(context.Background(), nopSink{}); err != nil {
		t.Fatal(err)
	}
	_, err := a.Send(context.Background(), bot.Message{Channel: "dm:x", Text: "rød \x1b[31mtekst\x07 og \u202e", Choices: []bot.Choice{{ID: "1", Label: "knapp\x1b]0;tittel\x07"}}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\x1b\x07") {
		t.Errorf("control characters reached the terminal: %q", out.String())
	}
	if !strings.Contains(out.String(), "Dugnad → x: rød \uFFFD[31mtekst\uFFFD") {
		t.Errorf("output = %q", out.String())
	}
}

// nopSink takes events and does nothing.
type nopSink struct{}

func (nopSink) Handle(context.Context, bot.Event) error { return nil }
func (nopSink) Flush(context.Context, string) error     { return nil }

func TestInvitationInTheConsole(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	p := loadPlan(t, s)
	var out syncBuffer
	in := script(
		"/dugnad inviter ext-ffo strategi S4",
		"/som ext-ffo",
		"1", // Start nå
		"1", // Ja, jeg vil være med
	)
	if err := runConsole(context.Background(), t, s, p, "pl-ingrid", in, &out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"Dugnad: Jeg sender 1 invitasjoner.",
		"Dugnad → ext-ffo: Hei, Arne Bakken! Fjordvik kommune arbeider med",
		"til strategien S4 – Tilgjengelige boliger",
		"Dugnad: Alle invitasjonene er sendt (1).",
		"— Du er nå Arne Bakken",
		"  1) Start nå",
		"Vil du være med?",
		"Spørsmål 1 av 7 (strategi S4)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}
