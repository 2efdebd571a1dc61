package console

import (
	"fmt"
	"strings"
)

// The console's own words, in bokmål, nynorsk and English.
var texts = map[string][3]string{
	"banner": {
		"Dugnad i terminalen. Du snakker med boten som en av aktørene i planen.\nVelg alternativ med tallet. /hvem viser aktørene, /som <id eller rolle> bytter hvem du er, /hjelp viser botens kommandoer, /avslutt avslutter.\nI planens kanaler: /i KANAL TEKST skriver der, /svar NR TEKST svarer i tråden til melding [NR], /velg NR VALG velger i den, /reager NR EMOJI reagerer på den.",
		"Dugnad i terminalen. Du snakkar med boten som ein av aktørane i planen.\nVel alternativ med talet. /kven viser aktørane, /som <id eller rolle> byter kven du er, /hjelp viser kommandoane til boten, /avslutt avsluttar.\nI kanalane til planen: /i KANAL TEKST skriv der, /svar NR TEKST svarar i tråden til melding [NR], /velg NR VAL vel i henne, /reager NR EMOJI reagerer på henne.",
		"Dugnad in the terminal. You talk to the bot as one of the plan's actors.\nPick an option by its number. /who lists the actors, /as <id or role> switches who you are, /help shows the bot's commands, /quit ends.\nIn the plan's channels: /in CHANNEL TEXT writes there, /reply NO TEXT answers in message [NO]'s thread, /choose NO OPTION picks in it, /react NO EMOJI reacts to it.",
	},
	"you_are":       {"Du er nå %s", "Du er no %s", "You are now %s"},
	"no_such_actor": {"Ingen aktør eller rolle heter «%s». Aktører: %s", "Ingen aktør eller rolle heiter «%s». Aktørar: %s", "No actor or role is called %q. Actors: %s"},
	"pick_number":   {"Velg et tall fra 1 til %d.", "Vel eit tal frå 1 til %d.", "Pick a number from 1 to %d."},
	"too_long": {"Linjen er lengre enn 1 MiB og ble ikke sendt.", "Linja er lengre enn 1 MiB og vart ikkje send.",
		"The line is longer than 1 MiB and was not sent."},
	"failed":        {"Noe gikk galt, og meldingen ble ikke lagret. Se loggen.", "Noko gjekk gale, og meldinga vart ikkje lagra. Sjå loggen.", "Something went wrong and the message was not stored. See the log."},
	"in":            {"i", "i", "in"},
	"thread":        {"tråd", "tråd", "thread"},
	"usage_in":      {"Bruk: /i KANAL TEKST, for eksempel /i innspill Vi trenger flere boliger", "Bruk: /i KANAL TEKST, til dømes /i innspill Vi treng fleire bustader", "Usage: /in CHANNEL TEXT, for example /in innspill We need more homes"},
	"usage_svar":    {"Bruk: /svar NR TEKST (NR er tallet i [ ] ved meldingen)", "Bruk: /svar NR TEKST (NR er talet i [ ] ved meldinga)", "Usage: /reply NO TEXT (NO is the number in [ ] by the message)"},
	"usage_reply":   {"Bruk: /svar NR TEKST (NR er tallet i [ ] ved meldingen)", "Bruk: /svar NR TEKST (NR er talet i [ ] ved meldinga)", "Usage: /reply NO TEXT (NO is the number in [ ] by the message)"},
	"usage_velg":    {"Bruk: /velg NR VALG", "Bruk: /velg NR VAL", "Usage: /choose NO OPTION"},
	"usage_choose":  {"Bruk: /velg NR VALG", "Bruk: /velg NR VAL", "Usage: /choose NO OPTION"},
	"usage_reager":  {"Bruk: /reager NR EMOJI, for eksempel /reager 12 👍", "Bruk: /reager NR EMOJI, til dømes /reager 12 👍", "Usage: /react NO EMOJI, for example /react 12 👍"},
	"usage_react":   {"Bruk: /reager NR EMOJI, for eksempel /reager 12 👍", "Bruk: /reager NR EMOJI, til dømes /reager 12 👍", "Usage: /react NO EMOJI, for example /react 12 👍"},
	"usage_fjern":   {"Bruk: /fjern NR EMOJI", "Bruk: /fjern NR EMOJI", "Usage: /unreact NO EMOJI"},
	"usage_unreact": {"Bruk: /fjern NR EMOJI", "Bruk: /fjern NR EMOJI", "Usage: /unreact NO EMOJI"},
	"people":        {"Aktører i planen:", "Aktørar i planen:", "Actors in the plan:"},
	"switch_hint":   {"Bytt med /som <id> eller /som <rolle> (prosjektleder, prosjektgruppe, referansegruppe, styringsgruppe).", "Byt med /som <id> eller /som <rolle> (prosjektleiar, prosjektgruppe, referansegruppe, styringsgruppe).", "Switch with /as <id> or /as <role> (project-leader, project-group, reference-group, steering-group)."},
}

var roleNames = map[string][3]string{
	"project_leader":  {"prosjektleder", "prosjektleiar", "project leader"},
	"project_group":   {"prosjektgruppe", "prosjektgruppe", "project group"},
	"reference_group": {"referansegruppe", "referansegruppe", "reference group"},
	"steering_group":  {"styringsgruppe", "styringsgruppe", "steering group"},
}

// roleByName maps what people type to a role.
var roleByName = map[string]string{
	"prosjektleder": "project_leader", "prosjektleiar": "project_leader", "project-leader": "project_leader", "project_leader": "project_leader", "leder": "project_leader", "leader": "project_leader",
	"prosjektgruppe": "project_group", "project-group": "project_group", "project_group": "project_group",
	"referansegruppe": "reference_group", "reference-group": "reference_group", "reference_group": "reference_group",
	"styringsgruppe": "steering_group", "steering-group": "steering_group", "steering_group": "steering_group",
}

func (a *Adapter) lang() int {
	switch a.cfg.Language {
	case "nn":
		return 1
	case "en":
		return 2
	}
	return 0
}

func (a *Adapter) t(key string, args ...any) string {
	s := texts[key][a.lang()]
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func (a *Adapter) roleNames(roles []string) string {
	var out []string
	for _, r := range roles {
		if n, ok := roleNames[r]; ok {
			out = append(out, n[a.lang()])
		}
	}
	return strings.Join(out, ", ")
}
