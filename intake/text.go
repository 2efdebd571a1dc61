package intake

import (
	"fmt"

	"github.com/kommune-dugnad/dugnad/store"
)

// What the bot says, in bokmål, nynorsk and English (in that order).

// tr renders a catalogue entry in a language.
func tr(l store.Language, key string, args ...any) string {
	t, ok := catalogue[key]
	if !ok {
		panic("intake: no text " + key) // a programming error, caught by the catalogue test
	}
	if len(args) == 0 {
		return t[l.Index()]
	}
	return fmt.Sprintf(t[l.Index()], args...)
}

// Questions are the seven guiding questions of the planning guidance.
var Questions = [store.QuestionCount][3]string{
	{"Har kommunen behov for andre virkemidler enn det den har i dag? Hvilke – og hvordan skaffe dem?",
		"Har kommunen behov for andre verkemiddel enn dei han har i dag? Kva for nokre – og korleis skaffe dei?",
		"Does the municipality need instruments other than those it has today? Which – and how would it get them?"},
	{"Skal kommunen intensivere bruken av et virkemiddel? Hvordan?",
		"Skal kommunen intensivere bruken av eit verkemiddel? Korleis?",
		"Should the municipality use an instrument more intensively? How?"},
	{"Skal kommunen prioritere bruken av virkemidlene annerledes? Hvordan?",
		"Skal kommunen prioritere bruken av verkemidla annleis? Korleis?",
		"Should the municipality prioritise the use of its instruments differently? How?"},
	{"Må kommunen informere bedre? Hvordan?",
		"Må kommunen informere betre? Korleis?",
		"Must the municipality inform better? How?"},
	{"Må kommunen samarbeide internt og eksternt på en annen måte enn i dag? Hvordan?",
		"Må kommunen samarbeide internt og eksternt på ein annan måte enn i dag? Korleis?",
		"Must the municipality cooperate internally and externally differently than today? How?"},
	{"Må kommunen heve kompetansen? Hvordan?",
		"Må kommunen heve kompetansen? Korleis?",
		"Must the municipality raise its competence? How?"},
	{"Er det organisatoriske forhold som bør tilpasses? Hvordan?",
		"Er det organisatoriske forhold som bør tilpassast? Korleis?",
		"Are there organisational matters that should be adapted? How?"},
}

// Question returns guiding question n (1–7) in a language.
func Question(l store.Language, n int) string { return Questions[n-1][l.Index()] }

var basisLabels = map[store.Basis][3]string{
	store.BasisMust:   {"Må", "Må", "Must"},
	store.BasisShould: {"Bør", "Bør", "Should"},
	store.BasisWill:   {"Vil", "Vil", "Will"},
	store.BasisCan:    {"Kan", "Kan", "Can"},
}

var whoLabels = map[store.WhoActs][3]string{
	store.WhoSelf:     {"Kommunen selv", "Kommunen sjølv", "The municipality itself"},
	store.WhoTogether: {"Sammen med andre", "Saman med andre", "Together with others"},
	store.WhoOthers:   {"Overlate til andre", "Overlate til andre", "Leave it to others"},
}

var languageNames = map[store.Language]string{
	store.Bokmal:  "Bokmål",
	store.Nynorsk: "Nynorsk",
	store.English: "English",
}

var catalogue = map[string][3]string{
	"intro": {
		"Hei, %[1]s! Jeg er Dugnad, en chatbot som hjelper %[2]s med «%[3]s».\n\n" +
			"Kommunen er nå i fase 3 av planarbeidet: å bli enige om tiltak. Prosjektleder %[4]s vil gjerne ha dine innspill. " +
			"Jeg stiller deg sju spørsmål om hver strategi i planen, og svarene dine blir innspill til tiltakene.\n\n" +
			"Dette lagres: svarene dine og vurderingene du gjør, navnet ditt, organisasjonen din og når du svarte. " +
			"Innspill som brukes i en høring, kan bli offentlige dokumenter. Ikke skriv sensitive personopplysninger – " +
			"for eksempel helseopplysninger eller fødselsnummer – om deg selv eller andre.\n\n" +
			"Du kan når som helst skrive «mine» for å se innspillene dine og «glem meg» for å fjerne navnet ditt fra dem. " +
			"«hjelp» viser alle kommandoene.\n\nVil du være med?",
		"Hei, %[1]s! Eg er Dugnad, ein chatbot som hjelper %[2]s med «%[3]s».\n\n" +
			"Kommunen er no i fase 3 av planarbeidet: å bli samde om tiltak. Prosjektleiar %[4]s vil gjerne ha innspela dine. " +
			"Eg stiller deg sju spørsmål om kvar strategi i planen, og svara dine blir innspel til tiltaka.\n\n" +
			"Dette blir lagra: svara dine og vurderingane du gjer, namnet ditt, organisasjonen din og når du svara. " +
			"Innspel som blir brukte i ei høyring, kan bli offentlege dokument. Ikkje skriv sensitive personopplysningar – " +
			"til dømes helseopplysningar eller fødselsnummer – om deg sjølv eller andre.\n\n" +
			"Du kan når som helst skrive «mine» for å sjå innspela dine og «gløym meg» for å fjerne namnet ditt frå dei. " +
			"«hjelp» viser alle kommandoane.\n\nVil du vere med?",
		"Hi, %[1]s! I am Dugnad, a chat bot that helps %[2]s with “%[3]s”.\n\n" +
			"The municipality is now in phase 3 of the planning work: agreeing on measures. Project leader %[4]s would like your input. " +
			"I will ask you seven questions about each strategy in the plan, and your answers become suggestions for the measures.\n\n" +
			"What is stored: your answers and the assessments you make, your name, your organisation, and when you answered. " +
			"Suggestions used in a hearing may become public records. Do not write sensitive personal data – " +
			"such as health information or national identity numbers – about yourself or others.\n\n" +
			"At any time, write “mine” to see your suggestions and “forget me” to remove your name from them. " +
			"“help” lists all commands.\n\nWill you take part?",
	},
	"consent_yes":    {"Ja, jeg vil være med", "Ja, eg vil vere med", "Yes, I will take part"},
	"consent_no":     {"Nei takk", "Nei takk", "No thanks"},
	"consent_needed": {"Svar ja eller nei før vi begynner.", "Svar ja eller nei før vi byrjar.", "Please answer yes or no before we start."},
	"declined": {"Greit, da lagrer jeg ingenting. Skriv til meg igjen hvis du ombestemmer deg.",
		"Greitt, då lagrar eg ingenting. Skriv til meg igjen viss du ombestemmer deg.",
		"All right, then I store nothing. Write to me again if you change your mind."},
	"consented":       {"Takk! Da begynner vi.", "Takk! Då byrjar vi.", "Thank you! Let us begin."},
	"welcome_back":    {"Velkommen tilbake!", "Velkomen tilbake!", "Welcome back!"},
	"choose_strategy": {"Hvilken strategi vil du gi innspill til?", "Kva for ein strategi vil du gi innspel til?", "Which strategy would you like to give suggestions for?"},
	"choose_another":  {"Vil du gi innspill til en annen strategi?", "Vil du gi innspel til ein annan strategi?", "Would you like to give suggestions for another strategy?"},
	"all_in_turn":     {"Alle, én etter én", "Alle, éin etter éin", "All of them, one by one"},
	"done_for_now":    {"Ferdig for nå", "Ferdig for no", "Done for now"},
	"strategy_intro":  {"Strategi %[1]s: %[2]s", "Strategi %[1]s: %[2]s", "Strategy %[1]s: %[2]s"},
	"question": {"Spørsmål %[1]d av %[2]d (strategi %[3]s):\n%[4]s",
		"Spørsmål %[1]d av %[2]d (strategi %[3]s):\n%[4]s",
		"Question %[1]d of %[2]d (strategy %[3]s):\n%[4]s"},
	"write_answer": {"Skriv svaret ditt, eller velg:", "Skriv svaret ditt, eller vel:", "Write your answer, or choose:"},
	"has_draft": {"Svaret ditt så langt: «%[1]s»\nSkriv et nytt svar for å bytte det ut, eller velg:",
		"Svaret ditt så langt: «%[1]s»\nSkriv eit nytt svar for å byte det ut, eller vel:",
		"Your answer so far: “%[1]s”\nWrite a new answer to replace it, or choose:"},
	"skip":           {"Hopp over", "Hopp over", "Skip"},
	"resume":         {"Fortsett", "Hald fram", "Resume"},
	"give_more":      {"Gi flere innspill", "Gi fleire innspel", "Give more suggestions"},
	"back":           {"Tilbake", "Tilbake", "Back"},
	"stop":           {"Stopp", "Stopp", "Stop"},
	"keep_answer":    {"Behold svaret", "Behald svaret", "Keep the answer"},
	"remove_answer":  {"Fjern svaret", "Fjern svaret", "Remove the answer"},
	"answer_removed": {"Svaret er fjernet.", "Svaret er fjerna.", "The answer has been removed."},
	"basis_prompt": {
		"Hva er grunnlaget for dette innspillet?\n• Må – lov, forskrift eller avtale krever det\n• Bør – kommunen ønsker resultatet\n" +
			"• Vil – egen motivasjon og samfunnsbehov\n• Kan – det lar seg gjøre innenfor ressursene kommunen har",
		"Kva er grunnlaget for dette innspelet?\n• Må – lov, forskrift eller avtale krev det\n• Bør – kommunen ønskjer resultatet\n" +
			"• Vil – eigen motivasjon og samfunnsbehov\n• Kan – det lèt seg gjere innanfor ressursane kommunen har",
		"What is the basis for this suggestion?\n• Must – required by law, regulation or agreement\n• Should – the municipality wants the result\n" +
			"• Will – its own motivation and the needs of society\n• Can – feasible within the resources the municipality has",
	},
	"who_prompt": {"Hvem bør gjøre dette?", "Kven bør gjere dette?", "Who should do this?"},
	"dont_know":  {"Vet ikke / hopp over", "Veit ikkje / hopp over", "Don't know / skip"},
	"pick_one": {"Velg ett av alternativene (eller skriv «tilbake» for å endre svaret).",
		"Vel eitt av alternativa (eller skriv «tilbake» for å endre svaret).",
		"Please pick one of the options (or write “back” to change the answer)."},
	"summary":      {"Oppsummering for strategi %[1]s: %[2]s", "Oppsummering for strategi %[1]s: %[2]s", "Summary for strategy %[1]s: %[2]s"},
	"summary_line": {"%[1]d. Spørsmål %[2]d: «%[3]s»", "%[1]d. Spørsmål %[2]d: «%[3]s»", "%[1]d. Question %[2]d: “%[3]s”"},
	"summary_one":  {"Skal jeg sende inn dette innspillet?", "Skal eg sende inn dette innspelet?", "Shall I submit this suggestion?"},
	"summary_many": {"Skal jeg sende inn disse %[1]d innspillene?", "Skal eg sende inn desse %[1]d innspela?", "Shall I submit these %[1]d suggestions?"},
	"submit":       {"Send inn", "Send inn", "Submit"},
	"review":       {"Gå gjennom på nytt", "Gå gjennom på nytt", "Go through again"},
	"discard":      {"Forkast", "Forkast", "Discard"},
	"confirm_discard": {"Vil du forkaste %[1]d svar for strategi %[2]s? De blir ikke lagret.",
		"Vil du forkaste %[1]d svar for strategi %[2]s? Dei blir ikkje lagra.",
		"Discard %[1]d answers for strategy %[2]s? They will not be stored."},
	"yes_discard": {"Ja, forkast", "Ja, forkast", "Yes, discard"},
	"no_keep":     {"Nei, behold", "Nei, behald", "No, keep them"},
	"discarded":   {"Svarene er forkastet.", "Svara er forkasta.", "The answers have been discarded."},
	"filed": {
		"Takk! %[1]d innspill er sendt inn til strategi %[2]s.\n\nProsjektgruppen går gjennom alle innspillene og lager forslag til tiltak. " +
			"Forslagene sendes på høring til referansegruppen, og styringsgruppen kvalitetssikrer dem. Du får beskjed hvis innspillet ditt blir en del av et tiltak.",
		"Takk! %[1]d innspel er sende inn til strategi %[2]s.\n\nProsjektgruppa går gjennom alle innspela og lagar forslag til tiltak. " +
			"Forslaga blir sende på høyring til referansegruppa, og styringsgruppa kvalitetssikrar dei. Du får melding viss innspelet ditt blir ein del av eit tiltak.",
		"Thank you! %[1]d suggestion(s) submitted for strategy %[2]s.\n\nThe project group goes through all suggestions and drafts measures. " +
			"The drafts go to the reference group for a hearing, and the steering group quality-assures them. You will be told if your suggestion becomes part of a measure.",
	},
	"no_answers": {"Du svarte ikke på noen av spørsmålene for strategi %[1]s, så det er ingenting å sende inn.",
		"Du svara ikkje på nokon av spørsmåla for strategi %[1]s, så det er ingenting å sende inn.",
		"You did not answer any of the questions for strategy %[1]s, so there is nothing to submit."},
	"finished": {"Takk for innspillene dine! Skriv «start» hvis du vil gi flere senere.",
		"Takk for innspela dine! Skriv «start» viss du vil gi fleire seinare.",
		"Thank you for your suggestions! Write “start” if you want to give more later."},
	"paused": {"Greit, vi tar en pause. Det du har sendt inn, er lagret. Skriv «fortsett» når du vil fortsette der du slapp.",
		"Greitt, vi tek ein pause. Det du har sendt inn, er lagra. Skriv «hald fram» når du vil halde fram der du slapp.",
		"All right, let us pause. What you have submitted is stored. Write “resume” to continue where you left off."},
	"paused_drafts": {"Jeg tar også vare på %[1]d svar som ikke er sendt inn ennå.",
		"Eg tek òg vare på %[1]d svar som ikkje er sende inn enno.",
		"I am also keeping %[1]d answer(s) you have not submitted yet."},
	"resumed_unsaved": {"Velkommen tilbake! Det du nettopp skrev, er ikke lagret – send det igjen hvis det var et svar. Her var vi:",
		"Velkomen tilbake! Det du nett skreiv, er ikkje lagra – send det på nytt viss det var eit svar. Her var vi:",
		"Welcome back! What you just wrote has not been stored – send it again if it was an answer. This is where we were:"},
	"stale_choice": {"Det valget hører til et tidligere spørsmål. Her er vi nå:",
		"Det valet høyrer til eit tidlegare spørsmål. Her er vi no:",
		"That option belongs to an earlier question. This is where we are now:"},
	"cant_here": {"Det går ikke akkurat her.", "Det går ikkje akkurat her.", "That is not possible right here."},
	"help": {
		"Dette kan du skrive når som helst:\n• hjelp – denne oversikten\n• start – velg strategi\n• hopp – hopp over spørsmålet\n" +
			"• tilbake – gå ett steg tilbake og endre eller fjerne svaret\n• stopp – ta pause (det du har sendt inn, er lagret)\n" +
			"• fortsett – fortsett der du slapp\n• språk nb, nn eller en – bytt språk\n• mine – se innspillene dine\n" +
			"• glem meg – fjern navnet ditt fra innspillene dine",
		"Dette kan du skrive når som helst:\n• hjelp – denne oversikta\n• start – vel strategi\n• hopp – hopp over spørsmålet\n" +
			"• tilbake – gå eitt steg tilbake og endre eller fjerne svaret\n• stopp – ta pause (det du har sendt inn, er lagra)\n" +
			"• hald fram – hald fram der du slapp\n• språk nb, nn eller en – byt språk\n• mine – sjå innspela dine\n" +
			"• gløym meg – fjern namnet ditt frå innspela dine",
		"You can write these at any time:\n• help – this overview\n• start – choose a strategy\n• skip – skip the question\n" +
			"• back – go one step back to change or remove the answer\n• stop – pause (what you have submitted is stored)\n" +
			"• resume – continue where you left off\n• language nb, nn or en – change language\n• mine – see your suggestions\n" +
			"• forget me – remove your name from your suggestions",
	},
	"language_prompt": {"Hvilket språk vil du bruke?", "Kva språk vil du bruke?", "Which language would you like?"},
	"language_set":    {"Nå skriver jeg bokmål.", "No skriv eg nynorsk.", "I will write in English now."},
	"mine_none":       {"Du har ingen innspill med navnet ditt ennå.", "Du har ingen innspel med namnet ditt enno.", "You have no suggestions with your name yet."},
	"mine_header":     {"Innspillene dine (%[1]d):", "Innspela dine (%[1]d):", "Your suggestions (%[1]d):"},
	"mine_line":       {"• %[1]s, strategi %[2]s, spørsmål %[3]d: «%[4]s»", "• %[1]s, strategi %[2]s, spørsmål %[3]d: «%[4]s»", "• %[1]s, strategy %[2]s, question %[3]d: “%[4]s”"},
	"mine_drafts": {"Du har også %[1]d svar som ikke er sendt inn ennå.", "Du har òg %[1]d svar som ikkje er sende inn enno.",
		"You also have %[1]d answer(s) not submitted yet."},
	"forget_none": {"Du har ingen innspill med navnet ditt, så det er ingenting å fjerne.",
		"Du har ingen innspel med namnet ditt, så det er ingenting å fjerne.",
		"You have no suggestions with your name, so there is nothing to remove."},
	"forget_confirm": {
		"Vil du fjerne navnet ditt fra %[1]d innspill? Innspillene blir stående med organisasjonen din, men uten navnet ditt og uten lenke til meldingene dine. Det kan ikke angres.",
		"Vil du fjerne namnet ditt frå %[1]d innspel? Innspela blir ståande med organisasjonen din, men utan namnet ditt og utan lenkje til meldingane dine. Det kan ikkje angrast.",
		"Remove your name from %[1]d suggestion(s)? They stay, with your organisation, but without your name and without a link to your messages. This cannot be undone.",
	},
	"yes_forget": {"Ja, fjern navnet mitt", "Ja, fjern namnet mitt", "Yes, remove my name"},
	"cancel":     {"Avbryt", "Avbryt", "Cancel"},
	"forgotten":  {"Navnet ditt er fjernet fra %[1]d innspill.", "Namnet ditt er fjerna frå %[1]d innspel.", "Your name has been removed from %[1]d suggestion(s)."},
	"cancelled":  {"Greit, ingenting er endret.", "Greitt, ingenting er endra.", "All right, nothing has changed."},
	"text_empty": {"Svaret er tomt. Skriv svaret ditt, eller skriv «hopp» for å hoppe over spørsmålet.",
		"Svaret er tomt. Skriv svaret ditt, eller skriv «hopp» for å hoppe over spørsmålet.",
		"The answer is empty. Write your answer, or “skip” to skip the question."},
	"text_too_long": {"Svaret er %[1]d tegn langt, og grensen er %[2]d. Kort det ned og send det igjen – jeg har ikke lagret noe av det.",
		"Svaret er %[1]d teikn langt, og grensa er %[2]d. Korte det ned og send det på nytt – eg har ikkje lagra noko av det.",
		"The answer is %[1]d characters long; the limit is %[2]d. Please shorten it and send it again – none of it has been stored."},
	"text_invalid_utf8": {"Meldingen inneholder tegn jeg ikke kan lese (ugyldig UTF-8). Skriv den på nytt – ingenting er lagret.",
		"Meldinga inneheld teikn eg ikkje kan lese (ugyldig UTF-8). Skriv ho på nytt – ingenting er lagra.",
		"The message contains characters I cannot read (invalid UTF-8). Please write it again – nothing has been stored."},
	"text_control": {"Meldingen inneholder et kontrolltegn (%[1]U) som ikke kan lagres. Skriv den på nytt uten det – ingenting er lagret.",
		"Meldinga inneheld eit kontrollteikn (%[1]U) som ikkje kan lagrast. Skriv ho på nytt utan det – ingenting er lagra.",
		"The message contains a control character (%[1]U) that cannot be stored. Please write it again without it – nothing has been stored."},
	"text_national_id": {"Det ser ut som svaret inneholder et fødselsnummer eller D-nummer. Ikke del slike opplysninger her. Skriv svaret på nytt uten nummeret – ingenting er lagret.",
		"Det ser ut som svaret inneheld eit fødselsnummer eller D-nummer. Ikkje del slike opplysningar her. Skriv svaret på nytt utan nummeret – ingenting er lagra.",
		"Your answer seems to contain a Norwegian national identity number or D number. Please do not share such data here. Write the answer again without the number – nothing has been stored."},
	"unknown_user": {"Hei! Jeg kjenner deg ikke som deltaker i «%[1]s» for %[2]s. Ta kontakt med prosjektleder %[3]s hvis du vil gi innspill.",
		"Hei! Eg kjenner deg ikkje som deltakar i «%[1]s» for %[2]s. Ta kontakt med prosjektleiar %[3]s viss du vil gi innspel.",
		"Hi! I do not know you as a participant in “%[1]s” for %[2]s. Please contact project leader %[3]s if you would like to give suggestions."},
	"invite_not_allowed": {"Bare prosjektleder og prosjektgruppen kan invitere aktører.", "Berre prosjektleiar og prosjektgruppa kan invitere aktørar.",
		"Only the project leader and the project group can invite actors."},
	"invite_usage": {"Skriv hvem du vil invitere: en aktør-ID (for eksempel ext-ffo), en organisasjon, en gruppe (prosjektgruppe, referansegruppe, styringsgruppe) eller «alle» (alle som ikke er spurt ennå). Du kan legge til «strategi S3» og «innen 15.1.2027».",
		"Skriv kven du vil invitere: ein aktør-ID (til dømes ext-ffo), ein organisasjon, ei gruppe (prosjektgruppe, referansegruppe, styringsgruppe) eller «alle» (alle som ikkje er spurde enno). Du kan leggje til «strategi S3» og «innan 15.1.2027».",
		"Write whom to invite: an actor ID (such as ext-ffo), an organisation, a group (project-group, reference-group, steering-group) or “all” (everyone not yet asked). You may add “strategy S3” and “by 15.1.2027”."},
	"bad_date": {"«%[1]s» er ikke en dato jeg kjenner. Skriv for eksempel 15.1.2027.", "«%[1]s» er ikkje ein dato eg kjenner. Skriv til dømes 15.1.2027.",
		"“%[1]s” is not a date I understand. Write it like 15.1.2027."},
	"date_past": {"Svarfristen %[1]s har allerede vært. Velg en dato fram i tid.", "Svarfristen %[1]s har alt vore. Vel ein dato fram i tid.",
		"The answer-by date %[1]s has passed. Choose a date in the future."},
	"unknown_strategy": {"Planen har ingen strategi som heter «%[1]s».", "Planen har ingen strategi som heiter «%[1]s».", "The plan has no strategy called “%[1]s”."},
	"unknown_target": {"Jeg fant ingen aktør, organisasjon eller gruppe som heter «%[1]s». Skriv en aktør-ID (for eksempel ext-ffo), en organisasjon, en gruppe (prosjektgruppe, referansegruppe, styringsgruppe) eller «alle».",
		"Eg fann ingen aktør, organisasjon eller gruppe som heiter «%[1]s». Skriv ein aktør-ID (til dømes ext-ffo), ein organisasjon, ei gruppe (prosjektgruppe, referansegruppe, styringsgruppe) eller «alle».",
		"I found no actor, organisation or group called “%[1]s”. Write an actor ID (such as ext-ffo), an organisation, a group (project-group, reference-group, steering-group) or “all”."},
	"nobody_to_invite":   {"Det er ingen å invitere: alle er allerede spurt.", "Det er ingen å invitere: alle er alt spurde.", "There is nobody to invite: everyone has been asked."},
	"invite_sending":     {"Jeg sender %[1]d invitasjoner.", "Eg sender %[1]d invitasjonar.", "I am sending %[1]d invitation(s)."},
	"invite_already":     {"%[1]d var allerede invitert og får ingen ny invitasjon.", "%[1]d var alt inviterte og får ingen ny invitasjon.", "%[1]d were already invited and get no new invitation."},
	"invite_unreachable": {"%[1]d kan ikke nås i chat (ingen Slack- eller Discord-ID i planen): %[2]s.", "%[1]d kan ikkje nåast i chat (ingen Slack- eller Discord-ID i planen): %[2]s.", "%[1]d cannot be reached by chat (no Slack or Discord ID in the plan): %[2]s."},
	"invite_will_tell":   {"Jeg sier fra når alle er sendt.", "Eg seier frå når alle er sende.", "I will tell you when all have been sent."},
	"invite_all_sent":    {"Alle invitasjonene er sendt (%[1]d).", "Alle invitasjonane er sende (%[1]d).", "All invitations have been sent (%[1]d)."},
	"invite_failed":      {"%[1]d kunne ikke leveres; se loggen.", "%[1]d kunne ikkje leverast; sjå loggen.", "%[1]d could not be delivered; see the log."},
	"invite_about":       {" til strategien %[1]s – %[2]s", " til strategien %[1]s – %[2]s", " on strategy %[1]s – %[2]s"},
	"invite_by":          {" innen %[1]s", " innan %[1]s", " by %[1]s"},
	"invitation": {
		"Hei, %[1]s! %[2]s arbeider med «%[3]s» og er nå i fase 3: å bli enige om tiltak – hva kommunen skal gjøre for å nå målene i planen. Prosjektleder %[4]s inviterer deg til å gi innspill%[5]s%[6]s. Det tar omtrent et kvarter, og du kan ta pauser underveis.\n\nVil du begynne nå?",
		"Hei, %[1]s! %[2]s arbeider med «%[3]s» og er no i fase 3: å bli samde om tiltak – kva kommunen skal gjere for å nå måla i planen. Prosjektleiar %[4]s inviterer deg til å gi innspel%[5]s%[6]s. Det tek om lag eit kvarter, og du kan ta pausar undervegs.\n\nVil du byrje no?",
		"Hi, %[1]s! %[2]s is working on “%[3]s” and is now in phase 3: agreeing on measures – what the municipality will do to reach the plan's goals. Project leader %[4]s invites you to give suggestions%[5]s%[6]s. It takes about a quarter of an hour, and you can pause along the way.\n\nWould you like to start now?",
	},
	"invite_start":   {"Start nå", "Start no", "Start now"},
	"invite_later":   {"Minn meg på det senere", "Minn meg på det seinare", "Remind me later"},
	"invite_decline": {"Nei takk", "Nei takk", "No thanks"},
	"later_ok":       {"Greit! Jeg minner deg på det %[1]s.", "Greitt! Eg minner deg på det %[1]s.", "All right! I will remind you on %[1]s."},
	"declined_invite": {"Takk for at du sa fra. Du får ingen flere påminnelser. Skriv til meg hvis du ombestemmer deg.",
		"Takk for at du sa frå. Du får ingen fleire påminningar. Skriv til meg viss du ombestemmer deg.",
		"Thank you for letting us know. You will get no more reminders. Write to me if you change your mind."},
	"reminder_invited": {"Hei igjen, %[1]s! En påminnelse: prosjektleder %[2]s vil gjerne ha innspillene dine til «%[3]s»%[4]s. Vil du begynne nå?",
		"Hei igjen, %[1]s! Ei påminning: prosjektleiar %[2]s vil gjerne ha innspela dine til «%[3]s»%[4]s. Vil du byrje no?",
		"Hi again, %[1]s! A reminder: project leader %[2]s would like your suggestions for “%[3]s”%[4]s. Would you like to start now?"},
	"reminder_started": {"Hei igjen, %[1]s! En påminnelse: du har begynt på innspillene dine til «%[3]s», og prosjektleder %[2]s vil gjerne ha dem%[4]s. Trykk «Fortsett» eller skriv «fortsett» for å fortsette der du slapp.",
		"Hei igjen, %[1]s! Ei påminning: du har byrja på innspela dine til «%[3]s», og prosjektleiar %[2]s vil gjerne ha dei%[4]s. Trykk «Hald fram» eller skriv «hald fram» for å halde fram der du slapp.",
		"Hi again, %[1]s! A reminder: you have started on your suggestions for “%[3]s”, and project leader %[2]s would like them%[4]s. Press “Resume” or write “resume” to continue where you left off."},
	"status_title":       {"Status for «%[1]s», %[2]s", "Status for «%[1]s», %[2]s", "Status of “%[1]s”, %[2]s"},
	"status_actors":      {"Aktører:", "Aktørar:", "Actors:"},
	"status_orgs":        {"Organisasjoner:", "Organisasjonar:", "Organisations:"},
	"status_strategies":  {"Innspill per strategi:", "Innspel per strategi:", "Suggestions per strategy:"},
	"status_not_invited": {"ikke invitert", "ikkje invitert", "not invited"},
	"status_invited":     {"invitert", "invitert", "invited"},
	"status_started":     {"begynt", "byrja", "started"},
	"status_finished":    {"ferdig", "ferdig", "finished"},
	"status_declined":    {"takket nei", "takka nei", "declined"},
	"status_unreachable": {"kan ikke nås i chat", "kan ikkje nåast i chat", "not reachable by chat"},
	"no_organisation":    {"(uten organisasjon)", "(utan organisasjon)", "(no organisation)"},
	"answer_by":          {"svarfrist %[1]s", "svarfrist %[1]s", "answer by %[1]s"},
	"n_suggestions":      {"%[1]d innspill", "%[1]d innspel", "%[1]d suggestion(s)"},
	"n_actors":           {"%[1]d aktører", "%[1]d aktørar", "%[1]d actor(s)"},
	"from_n_actors":      {"fra %[1]d aktører", "frå %[1]d aktørar", "from %[1]d actor(s)"},
	"you_answered":       {"Du har gitt innspill til: %[1]s.", "Du har gitt innspel til: %[1]s.", "You have given suggestions on: %[1]s."},
	"still_open":         {"Ikke besvart ennå: %[1]s.", "Ikkje svara på enno: %[1]s.", "Not answered yet: %[1]s."},
	"answer_by_sentence": {"Svarfristen er %[1]s.", "Svarfristen er %[1]s.", "Please answer by %[1]s."},
	"intake_stored":      {"Takk! Innspillet er lagret.", "Takk! Innspelet er lagra.", "Thank you! The suggestion is stored."},
	"intake_no_guess": {"Jeg klarte ikke å se hvilken strategi det hører til. Velg en:", "Eg klarte ikkje å sjå kva for ein strategi det høyrer til. Vel ein:",
		"I could not tell which strategy it belongs to. Please choose one:"},
	"intake_guess": {"Jeg tror det hører til strategi %[1]s – %[2]s. Stemmer det?", "Eg trur det høyrer til strategi %[1]s – %[2]s. Stemmer det?",
		"I think it belongs to strategy %[1]s – %[2]s. Is that right?"},
	"intake_other": {"Annen strategi", "Annan strategi", "Another strategy"},
	"intake_leave": {"Uten strategi", "Utan strategi", "No strategy"},
	"intake_privacy": {"(Innspill lagres med navn og organisasjon og kan bli offentlige i en høring. Skriv «glem meg» til meg i en direktemelding for å fjerne navnet ditt.)",
		"(Innspel blir lagra med namn og organisasjon og kan bli offentlege i ei høyring. Skriv «gløym meg» til meg i ei direktemelding for å fjerne namnet ditt.)",
		"(Suggestions are stored with name and organisation and may become public in a hearing. Write “forget me” to me in a direct message to remove your name.)"},
	"intake_not_yours": {"Bare den som skrev innspillet, eller prosjektgruppen, kan velge strategi for det.", "Berre den som skreiv innspelet, eller prosjektgruppa, kan velje strategi for det.",
		"Only the suggestion's author, or the project group, can choose its strategy."},
	"intake_left": {"Innspillet står uten strategi. Prosjektgruppen kan plassere det senere.", "Innspelet står utan strategi. Prosjektgruppa kan plassere det seinare.",
		"The suggestion stays without a strategy. The project group can place it later."},
	"intake_pick":  {"Hvilken strategi hører innspillet til?", "Kva for ein strategi høyrer innspelet til?", "Which strategy does the suggestion belong to?"},
	"intake_filed": {"Innspillet er lagret under strategi %[1]s – %[2]s.", "Innspelet er lagra under strategi %[1]s – %[2]s.", "The suggestion is filed under strategy %[1]s – %[2]s."},
	"idea_in_channel": {"En idédugnad holdes i en kanal: skriv kommandoen der.", "Ein idédugnad blir halden i ein kanal: skriv kommandoen der.",
		"An idea session is held in a channel: give the command there."},
	"idea_usage": {"Bruk: idedugnad start S3 | idedugnad neste | idedugnad tilbake | idedugnad stopp", "Bruk: idedugnad start S3 | idedugnad neste | idedugnad tilbake | idedugnad stopp",
		"Usage: ideas start S3 | ideas next | ideas back | ideas stop"},
	"idea_already_open": {"Det pågår allerede en idédugnad i denne kanalen. Avslutt den med «idedugnad stopp» først.",
		"Det går alt føre seg ein idédugnad i denne kanalen. Avslutt han med «idedugnad stopp» først.",
		"An idea session is already running in this channel. End it with “ideas stop” first."},
	"idea_intro": {"Idédugnad om strategi %[1]s – %[2]s", "Idédugnad om strategi %[1]s – %[2]s", "Idea session on strategy %[1]s – %[2]s"},
	"idea_how": {"Jeg stiller de sju veiledende spørsmålene, ett om gangen. Svar i tråden under hvert spørsmål – ett innspill per svar. Svarene lagres med navn og organisasjon og kan bli offentlige i en høring; ikke skriv sensitive personopplysninger.",
		"Eg stiller dei sju rettleiande spørsmåla, eitt om gongen. Svar i tråden under kvart spørsmål – eitt innspel per svar. Svara blir lagra med namn og organisasjon og kan bli offentlege i ei høyring; ikkje skriv sensitive personopplysningar.",
		"I will ask the seven guiding questions, one at a time. Answer in the thread under each question – one suggestion per reply. Answers are stored with name and organisation and may become public in a hearing; do not write sensitive personal data."},
	"idea_none_open": {"Det pågår ingen idédugnad i denne kanalen. Start en med «idedugnad start S3».", "Det går ikkje føre seg nokon idédugnad i denne kanalen. Start ein med «idedugnad start S3».",
		"No idea session is running in this channel. Start one with “ideas start S3”."},
	"idea_question": {"Spørsmål %[1]d av %[2]d: %[3]s\nSvar i tråden.", "Spørsmål %[1]d av %[2]d: %[3]s\nSvar i tråden.", "Question %[1]d of %[2]d: %[3]s\nAnswer in the thread."},
	"idea_closed":   {"Idédugnaden om %[1]s er avsluttet. Innspill per spørsmål:", "Idédugnaden om %[1]s er avslutta. Innspel per spørsmål:", "The idea session on %[1]s has ended. Suggestions per question:"},
	"idea_total":    {"Til sammen %[1]d innspill. Takk til alle!", "Til saman %[1]d innspel. Takk til alle!", "%[1]d suggestion(s) in all. Thank you all!"},
	"leader_only":   {"Bare prosjektleder og prosjektgruppen kan bruke denne kommandoen.", "Berre prosjektleiar og prosjektgruppa kan bruke denne kommandoen.", "Only the project leader and the project group can use this command."},
	"measure_usage": {"Bruk: tiltak | tiltak ny S3 12,15 TEKST | tiltak 4 | tiltak 4 tekst|ansvar|frist|grunnlag|hvem|oppgaver|innspill|overstyr VERDI",
		"Bruk: tiltak | tiltak ny S3 12,15 TEKST | tiltak 4 | tiltak 4 tekst|ansvar|frist|grunnlag|kven|oppgåver|innspel|overstyr VERDI",
		"Usage: measure | measure new S3 12,15 TEXT | measure 4 | measure 4 text|responsible|deadline|basis|who|tasks|suggestions|override VALUE"},
	"override_needs_reason": {"Skriv hvorfor tiltaket skal på høring slik det står: «tiltak 4 overstyr GRUNN».", "Skriv kvifor tiltaket skal på høyring slik det står: «tiltak 4 overstyr GRUNN».", "Write why the measure should go to the hearing as it stands: “measure 4 override REASON”."},
	"lint_overridden":       {"Sendes på høring likevel, fordi: «%[1]s».", "Blir sendt på høyring likevel, fordi: «%[1]s».", "Goes to the hearing anyway, because: “%[1]s”."},
	"lint_override_how":     {"Skal det på høring slik det står, skriv «tiltak %[1]d overstyr GRUNN».", "Skal det på høyring slik det står, skriv «tiltak %[1]d overstyr GRUNN».", "To send it to the hearing as it stands, write “measure %[1]d override REASON”."},
	"measure_needs_text":    {"Et tiltak trenger en tekst: hva skal gjøres, av hvem, innen når.", "Eit tiltak treng ein tekst: kva skal gjerast, av kven, innan når.", "A measure needs a text: what will be done, by whom, by when."},
	"no_measure":            {"Planen har ikke noe tiltak %[1]d.", "Planen har ikkje noko tiltak %[1]d.", "The plan has no measure %[1]d."},
	"no_suggestion":         {"Planen har ikke noe innspill #%[1]d.", "Planen har ikkje noko innspel #%[1]d.", "The plan has no suggestion #%[1]d."},
	"no_suggestion_in":      {"Minst ett av innspillene %[1]s finnes ikke i denne planen; ingenting er endret.", "Minst eitt av innspela %[1]s finst ikkje i denne planen; ingenting er endra.", "At least one of the suggestions %[1]s is not in this plan; nothing changed."},
	"measure_created":       {"Tiltak %[1]d er opprettet som utkast.", "Tiltak %[1]d er oppretta som utkast.", "Measure %[1]d has been created as a draft."},
	"deadline_past":         {"Fristen %[1]s har allerede vært.", "Fristen %[1]s har alt vore.", "The deadline %[1]s has passed."},
	"bad_basis":             {"«%[1]s» er ikke et grunnlag: bruk må, bør, vil eller kan.", "«%[1]s» er ikkje eit grunnlag: bruk må, bør, vil eller kan.", "“%[1]s” is not a basis: use må, bør, vil or kan."},
	"bad_who":               {"«%[1]s»: bruk selv, sammen eller overlate.", "«%[1]s»: bruk sjølv, saman eller overlate.", "“%[1]s”: use selv, sammen or overlate."},
	"bad_task":              {"Planen har ingen sentral oppgave «%[1]s». Se «dekning» for listen.", "Planen har inga sentral oppgåve «%[1]s». Sjå «dekning» for lista.", "The plan has no central task “%[1]s”. See “coverage” for the list."},
	"measure_locked":        {"Tiltak %[1]d kan ikke endres nå: det er på høring eller avgjort.", "Tiltak %[1]d kan ikkje endrast no: det er på høyring eller avgjort.", "Measure %[1]d cannot be changed now: it is on hearing or decided."},
	"no_measures":           {"Planen har ingen tiltak ennå. Lag et med «tiltak ny S3 12,15 TEKST».", "Planen har ingen tiltak enno. Lag eitt med «tiltak ny S3 12,15 TEKST».", "The plan has no measures yet. Make one with “measure new S3 12,15 TEXT”."},
	"measures_header":       {"Tiltak (%[1]d); ⚠ = vanskelig å sjekke:", "Tiltak (%[1]d); ⚠ = vanskeleg å sjekke:", "Measures (%[1]d); ⚠ = hard to check:"},
	"measure_title":         {"Tiltak %[1]d (%[2]s, %[3]s): «%[4]s»", "Tiltak %[1]d (%[2]s, %[3]s): «%[4]s»", "Measure %[1]d (%[2]s, %[3]s): “%[4]s”"},
	"not_set":               {"ikke satt", "ikkje sett", "not set"},
	"measure_responsible":   {"Ansvar: %[1]s", "Ansvar: %[1]s", "Responsible: %[1]s"},
	"measure_deadline":      {"Frist: %[1]s", "Frist: %[1]s", "Deadline: %[1]s"},
	"measure_basis":         {"Grunnlag: %[1]s", "Grunnlag: %[1]s", "Basis: %[1]s"},
	"measure_who":           {"Hvem: %[1]s", "Kven: %[1]s", "Who acts: %[1]s"},
	"measure_tasks":         {"Sentrale oppgaver: %[1]s", "Sentrale oppgåver: %[1]s", "Central tasks: %[1]s"},
	"yes_no_by":             {"Ja/nei-spørsmålet: Er «%[1]s» gjennomført innen %[2]s?", "Ja/nei-spørsmålet: Er «%[1]s» gjennomført innan %[2]s?", "The yes/no question: Has “%[1]s” been carried out by %[2]s?"},
	"yes_no":                {"Ja/nei-spørsmålet: Er «%[1]s» gjennomført?", "Ja/nei-spørsmålet: Er «%[1]s» gjennomført?", "The yes/no question: Has “%[1]s” been carried out?"},
	"lint_ok":               {"✓ Formuleringen kan sjekkes med ja eller nei.", "✓ Formuleringa kan sjekkast med ja eller nei.", "✓ The wording can be checked with yes or no."},
	"lint_problems":         {"⚠ Vanskelig å sjekke: %[1]s.", "⚠ Vanskeleg å sjekke: %[1]s.", "⚠ Hard to check: %[1]s."},
	"lint_vague_verb":       {"«%[1]s» sier ikke hva som skal være gjort", "«%[1]s» seier ikkje kva som skal vere gjort", "“%[1]s” does not say what will have been done"},
	"lint_no_responsible":   {"ingen ansvarlig enhet", "inga ansvarleg eining", "no responsible unit"},
	"lint_no_deadline":      {"ingen frist", "ingen frist", "no deadline"},
	"lint_no_quantity":      {"«%[1]s» uten et tall", "«%[1]s» utan eit tal", "“%[1]s” without a number"},
	"lint_example": {"Skriv det som ansvarlig enhet + konkret handling med et resultat man kan peke på (gjerne med tall) + frist, for eksempel: «Boligkontoret oppretter en ordning med svar på søknad om depositumsgaranti innen to virkedager, innen 1. juni 2027.»",
		"Skriv det som ansvarleg eining + konkret handling med eit resultat ein kan peike på (gjerne med tal) + frist, til dømes: «Bustadkontoret opprettar ei ordning med svar på søknad om depositumsgaranti innan to yrkedagar, innan 1. juni 2027.»",
		"Write it as responsible unit + a concrete action with a result one can point to (with a number where natural) + deadline, for example: “The housing office sets up a scheme answering applications for deposit guarantees within two working days, by 1 June 2027.”"},
	"measure_from": {"Bygger på %[1]d innspill:", "Byggjer på %[1]d innspel:", "Based on %[1]d suggestion(s):"},
	"no_name":      {"(uten navn)", "(utan namn)", "(no name)"},
	"unfiled":      {"uten strategi", "utan strategi", "no strategy"},
	"in_measure":   {"[brukt i tiltak]", "[brukt i tiltak]", "[used in a measure]"},
	"became_measure": {"Innspillet ditt «%[1]s» er nå en del av tiltak %[2]d: «%[3]s». Tiltaket skal på høring i referansegruppen.",
		"Innspelet ditt «%[1]s» er no ein del av tiltak %[2]d: «%[3]s». Tiltaket skal på høyring i referansegruppa.",
		"Your suggestion “%[1]s” is now part of measure %[2]d: “%[3]s”. The measure will go to the reference group for a hearing."},
	"list_usage":          {"Bruk: innspill | innspill S3 | innspill spørsmål 2 | innspill aktør ext-ffo | innspill org NAV | innspill ubrukte | innspill ufilert", "Bruk: innspel | innspel S3 | innspel spørsmål 2 | innspel aktør ext-ffo | innspel org NAV | innspel ubrukte | innspel ufilert", "Usage: suggestions | suggestions S3 | suggestions question 2 | suggestions actor ext-ffo | suggestions org NAV | suggestions unused | suggestions unfiled"},
	"list_none":           {"Ingen innspill: %[1]s.", "Ingen innspel: %[1]s.", "No suggestions: %[1]s."},
	"list_header":         {"Innspill – %[1]s (%[2]d):", "Innspel – %[1]s (%[2]d):", "Suggestions – %[1]s (%[2]d):"},
	"list_more":           {"… og %[1]d til. Snevre inn med S3, spørsmål 2, aktør, org, ubrukte eller ufilert.", "… og %[1]d til. Avgrens med S3, spørsmål 2, aktør, org, ubrukte eller ufilert.", "… and %[1]d more. Narrow down with S3, question 2, actor, org, unused or unfiled."},
	"list_duplicates":     {"Innspill som sier nesten det samme:", "Innspel som seier nesten det same:", "Suggestions that say nearly the same:"},
	"list_all":            {"alle", "alle", "all"},
	"list_unused":         {"ikke brukt i noe tiltak", "ikkje brukt i noko tiltak", "not used in any measure"},
	"list_question":       {"spørsmål %[1]d", "spørsmål %[1]d", "question %[1]d"},
	"coverage_title":      {"Dekning for «%[1]s»", "Dekning for «%[1]s»", "Coverage of “%[1]s”"},
	"coverage_strategies": {"Strategier:", "Strategiar:", "Strategies:"},
	"coverage_tasks":      {"Sentrale oppgaver:", "Sentrale oppgåver:", "Central tasks:"},
	"coverage_questions":  {"Veiledende spørsmål:", "Rettleiande spørsmål:", "Guiding questions:"},
	"measures_none":       {"ingen tiltak", "ingen tiltak", "no measures"},
	"measures_n":          {"%[1]d tiltak", "%[1]d tiltak", "%[1]d measure(s)"},
	"answers_none":        {"ingen innspill", "ingen innspel", "no suggestions"},
	"answers_n":           {"%[1]d innspill", "%[1]d innspel", "%[1]d suggestion(s)"},
	"no_plan": {"Dugnad er ikke satt opp for dette arbeidsområdet ennå. (Dugnad is not set up for this workspace yet.)",
		"Dugnad er ikkje sett opp for dette arbeidsområdet enno. (Dugnad is not set up for this workspace yet.)",
		"Dugnad is not set up for this workspace yet. (Dugnad er ikke satt opp for dette arbeidsområdet ennå.)"},
}
