package intake_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

const planKey = "fjordvik-2027"

// setup loads the example plan (edited by edit, if given) and starts a bot
// on the console platform.
func setup(t *testing.T, s *store.Store, edit func(*store.PlanSpec)) (*bottest.Harness, store.Plan) {
	t.Helper()
	p := storetest.LoadExample(t, s, edit)
	return bottest.NewHarness(t, s, intake.New(nil), bot.Console, planKey), p
}

func contains(t *testing.T, m bot.Message, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(m.Text, w) {
			t.Fatalf("message does not contain %q:\n%s", w, m.Text)
		}
	}
}

func suggestions(t *testing.T, s *store.Store, p store.Plan) []store.Suggestion {
	t.Helper()
	got, err := s.Suggestions(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// consentAndChoose takes an actor through consent to question 1 of a strategy.
func consentAndChoose(h *bottest.Harness, actor, strategy string) bot.Message {
	h.Say(actor, "hei")
	h.Pick(actor, "Ja")
	return h.Pick(actor, strategy+" –")
}

func TestDialogFilesAnswersAgainstStrategyAndQuestion(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		const a = "ext-nav-jonas"
		q1 := consentAndChoose(h, a, "S3")
		contains(t, q1, "Strategi S3", "Spørsmål 1 av 7", intake.Question(store.Bokmal, 1))

		contains(t, h.Say(a, "Kommunen bør stille depositumsgaranti raskere, innen to dager."), "Hva er grunnlaget")
		contains(t, h.Pick(a, "Bør"), "Hvem bør gjøre dette?")
		contains(t, h.Pick(a, "Sammen med andre"), "Spørsmål 2 av 7", intake.Question(store.Bokmal, 2))
		contains(t, h.Pick(a, "Hopp over"), "Spørsmål 3 av 7")
		h.Say(a, "Prioritere barnefamilier ved tildeling av bostøtte")
		h.Pick(a, "Vet ikke")
		contains(t, h.Say(a, "selv"), "Spørsmål 4 av 7") // typed choice words work too
		for q := 4; q <= 7; q++ {
			h.Say(a, "hopp")
		}
		sum := h.Last(a)
		contains(t, sum, "Oppsummering for strategi S3", "1. Spørsmål 1: «Kommunen bør stille", "(bør, sammen med andre)",
			"2. Spørsmål 3: «Prioritere barnefamilier", "(kommunen selv)", "Skal jeg sende inn disse 2 innspillene?")
		if got := suggestions(t, s, p); len(got) != 0 {
			t.Fatalf("%d suggestions stored before the summary was confirmed", len(got))
		}
		contains(t, h.Pick(a, "Send inn"), "Takk! 2 innspill er sendt inn til strategi S3", "Du får beskjed", "Vil du gi innspill til en annen strategi?")

		got := suggestions(t, s, p)
		if len(got) != 2 {
			t.Fatalf("%d suggestions, want 2", len(got))
		}
		want := []struct {
			q     int
			text  string
			basis store.Basis
			who   store.WhoActs
		}{
			{1, "Kommunen bør stille depositumsgaranti raskere, innen to dager.", store.BasisShould, store.WhoTogether},
			{3, "Prioritere barnefamilier ved tildeling av bostøtte", "", store.WhoSelf},
		}
		for i, w := range want {
			g := got[i]
			if g.StrategyKey != "S3" || g.Question != w.q || g.Text != w.text || g.Basis != w.basis || g.WhoActs != w.who ||
				g.ActorKey != a || g.Organisation != "NAV Fjordvik" || g.Origin != store.OriginDialog || g.Language != store.Bokmal || g.Source.Platform != bot.Console {
				t.Errorf("suggestion %d = %+v, want %+v", i, g, w)
			}
		}
	})
}

func TestNothingIsStoredBeforeConsent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		ctx := context.Background()
		const a = "ext-ffo"
		first := h.Say(a, "Vi trenger flere tilgjengelige boliger!")
		contains(t, first, "Hei, Arne Bakken!", "Fjordvik kommune", "Prosjektleder Ingrid Haugland", "offentlige dokumenter",
			"Ikke skriv sensitive personopplysninger", "Vil du være med?")
		contains(t, h.Say(a, "Jeg vil ha heis i alle nye boliger"), "Svar ja eller nei før vi begynner.")
		contains(t, h.Pick(a, "Nei takk"), "da lagrer jeg ingenting")
		actor, _ := s.ActorByKey(ctx, p.ID, a)
		if actor.ConsentedAt != nil {
			t.Error("consent recorded after a no")
		}
		if got := suggestions(t, s, p); len(got) != 0 {
			t.Errorf("%d suggestions stored without consent", len(got))
		}
		// Changing one's mind: the intro again, then yes.
		contains(t, h.Say(a, "Jeg har ombestemt meg"), "Vil du være med?")
		contains(t, h.Say(a, "ja"), "Takk! Da begynner vi.", "Hvilken strategi")
		actor, _ = s.ActorByKey(ctx, p.ID, a)
		if actor.ConsentedAt == nil {
			t.Fatal("consent not recorded")
		}
		if log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "actor.consent", EntityID: strconv.FormatInt(actor.ID, 10)}); len(log) != 1 {
			t.Errorf("consent audited %d times", len(log))
		}
	})
}

func TestAnswersCanBeSkippedChangedAndTakenBack(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		const a = "ext-bymisjon"
		consentAndChoose(h, a, "S5")
		h.Say(a, "Første utkast")
		contains(t, h.Say(a, "tilbake"), "Svaret ditt så langt: «Første utkast»")
		h.Say(a, "Housing First-tilbudet må utvides til unge under 25 år.")
		h.Pick(a, "Må")
		h.Pick(a, "Sammen med andre")
		// Back from question 2 to question 1: the answer can be kept ...
		contains(t, h.Pick(a, "Tilbake"), "Spørsmål 1 av 7", "Svaret ditt så langt: «Housing First-tilbudet")
		contains(t, h.Pick(a, "Behold svaret"), "Spørsmål 2 av 7")
		h.Say(a, "Flere miljøarbeidere på kveldstid")
		h.Pick(a, "Kan")
		h.Pick(a, "Kommunen selv")
		// ... or taken back.
		h.Pick(a, "Tilbake")
		contains(t, h.Last(a), "Spørsmål 2 av 7", "Flere miljøarbeidere")
		contains(t, h.Pick(a, "Fjern svaret"), "Svaret er fjernet.", "Spørsmål 3 av 7")
		for q := 3; q <= 7; q++ {
			h.Pick(a, "Hopp over")
		}
		sum := h.Last(a)
		contains(t, sum, "Housing First-tilbudet", "(må, sammen med andre)", "Skal jeg sende inn dette innspillet?")
		if strings.Contains(sum.Text, "miljøarbeidere") || strings.Contains(sum.Text, "Første utkast") {
			t.Fatalf("a taken-back answer is in the summary:\n%s", sum.Text)
		}
		h.Pick(a, "Send inn")
		got := suggestions(t, s, p)
		if len(got) != 1 || got[0].Question != 1 || got[0].Basis != store.BasisMust {
			t.Fatalf("suggestions = %+v", got)
		}
	})
}

func TestStaleButtonChangesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, _ := setup(t, s, nil)
		const a = "ext-ffo"
		consentAndChoose(h, a, "S4")
		skipQ1 := h.ChoiceID(a, "Hopp over")
		h.Pick(a, "Hopp over") // now at question 2
		ev := h.Event(a, bot.KindChoice)
		ev.Choice = skipQ1 // the button of question 1, pressed again
		h.Send(ev)
		contains(t, h.Last(a), "tidligere spørsmål", "Spørsmål 2 av 7")
		forged := h.Event(a, bot.KindChoice)
		forged.Choice = "nonsense"
		h.Send(forged)
		contains(t, h.Last(a), "Spørsmål 2 av 7")
	})
}

func TestStopAndResumeKeepDrafts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		const a = "ext-utleierforening"
		consentAndChoose(h, a, "S3")
		h.Say(a, "Faste kontaktpersoner i NAV for utleiere")
		h.Pick(a, "Bør")
		h.Pick(a, "Sammen med andre")
		contains(t, h.Say(a, "stopp"), "vi tar en pause", "1 svar som ikke er sendt inn")
		contains(t, h.Say(a, "Hei igjen, hva var det neste?"), "Det du nettopp skrev, er ikke lagret", "Spørsmål 2 av 7")
		h.Say(a, "stopp")
		contains(t, h.Pick(a, "Fortsett"), "Velkommen tilbake!", "Spørsmål 2 av 7")
		contains(t, h.Command(a, "mine", ""), "Du har ingen innspill med navnet ditt ennå.", "1 svar som ikke er sendt inn")
		if got := suggestions(t, s, p); len(got) != 0 {
			t.Fatalf("paused drafts were filed: %+v", got)
		}
	})
}

func TestLanguageCanBeChangedAtAnyPoint(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		const a = "ext-husbanken"
		contains(t, h.Say(a, "språk en"), "I will write in English now.", "Will you take part?")
		h.Pick(a, "Yes")
		contains(t, h.Pick(a, "S1 –"), "Question 1 of 7", intake.Question(store.English, 1))
		contains(t, h.Command(a, "språk", "nn"), "No skriv eg nynorsk.", "Spørsmål 1 av 7", intake.Question(store.Nynorsk, 1))
		// Without an argument: a choice of languages.
		h.Command(a, "language", "")
		contains(t, h.Pick(a, "English"), "Question 1 of 7")
		h.Say(a, "Startlån bør kunne kombineres med leie-til-eie.")
		contains(t, h.Pick(a, "Should"), "Who should do this?")
		h.Pick(a, "Together")
		for q := 2; q <= 7; q++ {
			h.Say(a, "skip")
		}
		contains(t, h.Pick(a, "Submit"), "Thank you! 1 suggestion(s) submitted for strategy S1.")
		got := suggestions(t, s, p)
		if len(got) != 1 || got[0].Language != store.English || got[0].Basis != store.BasisShould || got[0].WhoActs != store.WhoTogether {
			t.Fatalf("suggestions = %+v", got)
		}
	})
}

func TestNynorskActorIsAskedInNynorsk(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, _ := setup(t, s, nil)
		contains(t, h.Say("pg-oddvar", "hei"), "Eg er Dugnad", "Vil du vere med?")
	})
}

func TestMineAndForgetMe(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		ctx := context.Background()
		const a = "ext-nav-jonas"
		consentAndChoose(h, a, "S1")
		h.Say(a, "Flere bør få veiledning før de søker startlån")
		h.Pick(a, "Bør")
		h.Pick(a, "Kommunen selv")
		for q := 2; q <= 7; q++ {
			h.Say(a, "hopp")
		}
		h.Pick(a, "Send inn")
		contains(t, h.Say(a, "mine"), "Innspillene dine (1):", "strategi S1, spørsmål 1: «Flere bør få veiledning")
		contains(t, h.Say(a, "glem meg"), "fjerne navnet ditt fra 1 innspill")
		contains(t, h.Pick(a, "Avbryt"), "ingenting er endret", "Vil du gi innspill til en annen strategi?")
		h.Say(a, "glem meg")
		contains(t, h.Pick(a, "Ja, fjern"), "Navnet ditt er fjernet fra 1 innspill.")
		contains(t, h.Say(a, "mine"), "Du har ingen innspill med navnet ditt ennå.")
		got := suggestions(t, s, p)
		if len(got) != 1 || got[0].ActorKey != "" || got[0].Text != "Flere bør få veiledning før de søker startlån" {
			t.Fatalf("after forget me: %+v", got)
		}
		actor, _ := s.ActorByKey(ctx, p.ID, a)
		if log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "suggestion.unlink", EntityID: strconv.FormatInt(actor.ID, 10)}); len(log) != 1 {
			t.Errorf("unlink audited %d times", len(log))
		}
	})
}

func TestBadInputIsRefusedWithAMessageAndChangesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		const a = "ext-mental-helse"
		consentAndChoose(h, a, "S6")
		refused := map[string][]string{
			"empty":            {"", "Svaret er tomt."},
			"blank":            {"  \n\t ", "Svaret er tomt."},
			"too long":         {strings.Repeat("ø", store.MaxTextLength+1), "Svaret er 4001 tegn langt, og grensen er 4000", "ikke lagret noe"},
			"invalid UTF-8":    {"Bedre oppfølging \xc3\x28 i bolig", "ugyldig UTF-8"},
			"NUL byte":         {"Bedre\x00oppfølging", "kontrolltegn (U+0000)"},
			"escape sequence":  {"Rød tekst \x1b[31m her", "kontrolltegn (U+001B)"},
			"national id":      {"Naboen min, 010190 49880, trenger hjelp", "fødselsnummer"},
			"national id bare": {"Gjelder D-nummer 41019049874", "fødselsnummer"},
		}
		for name, c := range refused {
			reply := h.Say(a, c[0])
			for _, w := range c[1:] {
				if !strings.Contains(reply.Text, w) {
					t.Errorf("%s: reply does not say %q:\n%s", name, w, reply.Text)
				}
			}
			if !strings.Contains(reply.Text, "Spørsmål 1 av 7") {
				t.Errorf("%s: the question was not asked again:\n%s", name, reply.Text)
			}
		}
		// Odd but harmless text is kept verbatim and shown back safely.
		kept := []string{
			"'); DROP TABLE suggestions; --",
			"Si ifra i <!channel> og til <@U0INGRID> & @everyone",
			"Bolig for alle \u202eenon rof gilob\u202c og \u200fעברית\u200f",
		}
		for i, text := range kept {
			h.Say(a, text)
			h.Pick(a, "Vet ikke")
			h.Pick(a, "Vet ikke")
			_ = i
		}
		for q := len(kept) + 1; q <= 7; q++ {
			h.Say(a, "hopp")
		}
		sum := h.Last(a)
		contains(t, sum, "'); DROP TABLE suggestions; --", "<!channel>", "[U+202E]enon rof gilob[U+202C]")
		if strings.ContainsRune(sum.Text, '\u202e') {
			t.Error("a bidi override reached the summary unescaped")
		}
		h.Pick(a, "Send inn")
		got := suggestions(t, s, p)
		if len(got) != len(kept) {
			t.Fatalf("%d suggestions stored, want %d", len(got), len(kept))
		}
		for i, g := range got {
			if g.Text != kept[i] || g.Question != i+1 {
				t.Errorf("suggestion %d = q%d %q, want q%d %q", i, g.Question, g.Text, i+1, kept[i])
			}
		}
	})
}

func TestTheSameEventTwiceHasOneEffect(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		ctx := context.Background()
		const a = "ext-boligstiftelse"
		consentAndChoose(h, a, "S2")
		answer := h.Event(a, bot.KindMessage)
		answer.Text = "Boligstiftelsen kan kjøpe 10 boliger i året med tilskudd"
		h.Send(answer)
		h.Send(answer) // redelivered: must not count as an answer to the next step
		contains(t, h.Last(a), "Hva er grunnlaget")
		h.Pick(a, "Kan")
		h.Pick(a, "Sammen med andre")
		for q := 2; q <= 7; q++ {
			h.Pick(a, "Hopp over")
		}
		submit := h.Event(a, bot.KindChoice)
		submit.Choice = h.ChoiceID(a, "Send inn")
		sent := len(h.Rec.Messages(""))
		h.Send(submit)
		h.Send(submit)
		if got := len(h.Rec.Messages("")) - sent; got != 1 {
			t.Errorf("the submit event twice sent %d replies, want 1", got)
		}
		got := suggestions(t, s, p)
		if len(got) != 1 {
			t.Fatalf("%d suggestions, want 1", len(got))
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{PlanID: p.ID, Action: "suggestion.create"})
		if len(log) != 1 {
			t.Errorf("%d suggestion.create audit rows, want 1", len(log))
		}
	})
}

func TestUnknownUserIsToldWhoToContact(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		contains(t, h.Say("someone-else", "hei"), "Jeg kjenner deg ikke", "Ingrid Haugland")
		if got := suggestions(t, s, p); len(got) != 0 {
			t.Fatal("stored something for an unknown user")
		}
	})
}

func TestOpenIntakeAdmitsNewExternalActors(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, func(spec *store.PlanSpec) { spec.OpenIntake = true })
		ev := h.Event("innbygger-1", bot.KindMessage)
		ev.Text, ev.UserName = "hei", "Kari Innbygger"
		h.Send(ev)
		contains(t, h.Last("innbygger-1"), "Hei, Kari Innbygger!", "Vil du være med?")
		a, err := s.ActorByKey(context.Background(), p.ID, "console-innbygger-1")
		if err != nil || a.Kind != store.External || a.Source != "open_intake" {
			t.Fatalf("open-intake actor = %+v, %v", a, err)
		}
	})
}

func TestManyActorsAtOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, func(spec *store.PlanSpec) {
			for i := 0; i < 30; i++ {
				spec.Actors = append(spec.Actors, store.ActorSpec{Key: fmt.Sprintf("innbygger-%d", i), Name: fmt.Sprintf("Innbygger %d", i), Kind: store.External})
			}
		})
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := fmt.Sprintf("innbygger-%d", i)
				consentAndChoose(h, a, "S9")
				h.Say(a, fmt.Sprintf("Innspill nummer %d om nærmiljøet", i))
				h.Pick(a, "Vil")
				h.Pick(a, "Sammen med andre")
				for q := 2; q <= 7; q++ {
					h.Say(a, "hopp")
				}
				h.Pick(a, "Send inn")
			}()
		}
		wg.Wait()
		got := suggestions(t, s, p)
		if len(got) != 30 {
			t.Fatalf("%d suggestions, want 30", len(got))
		}
		seen := map[string]bool{}
		for _, g := range got {
			want := "Innspill nummer " + strings.TrimPrefix(g.ActorKey, "innbygger-") + " om nærmiljøet"
			if g.Text != want || seen[g.ActorKey] {
				t.Errorf("suggestion %+v is not its actor's or is doubled", g)
			}
			seen[g.ActorKey] = true
		}
	})
}
