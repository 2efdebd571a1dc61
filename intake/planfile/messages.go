package planfile

import "github.com/kommune-dugnad/dugnad/store"

// messages holds each problem's text in bokmål, nynorsk and English.
var messages = map[string][3]string{
	"yaml_syntax": {"ugyldig YAML: %s", "ugyldig YAML: %s", "invalid YAML: %s"},
	"yaml_type":   {"feil type verdi: %s", "feil type verdi: %s", "wrong kind of value: %s"},
	"empty":       {"filen er tom", "fila er tom", "the file is empty"},
	"want_scalar": {"her skal det stå én verdi, ikke en liste eller en gruppe", "her skal det stå éin verdi, ikkje ei liste eller ei gruppe", "expected a single value here, not a list or a mapping"},
	"want_mapping": {"her skal det stå felter (navn: verdi)", "her skal det stå felt (namn: verdi)",
		"expected fields (name: value) here"},
	"want_list":     {"her skal det stå en liste", "her skal det stå ei liste", "expected a list here"},
	"unknown_field": {"ukjent felt «%s»", "ukjent felt «%s»", "unknown field %q"},
	"dup_field":     {"feltet «%s» står to ganger (først på linje %d)", "feltet «%s» står to gonger (først på linje %d)", "field %q is given twice (first on line %d)"},
	"required":      {"mangler «%s»", "manglar «%s»", "%q is missing"},
	"bad_key": {"ugyldig ID «%s»: bruk små bokstaver a–z, sifre og bindestrek", "ugyldig ID «%s»: bruk små bokstavar a–z, siffer og bindestrek",
		"invalid ID %q: use lowercase letters a–z, digits and hyphens"},
	"bad_id": {"ugyldig ID «%s»: bruk bokstaver, sifre, punktum og bindestrek", "ugyldig ID «%s»: bruk bokstavar, siffer, punktum og bindestrek",
		"invalid ID %q: use letters, digits, dots and hyphens"},
	"duplicate":    {"«%s» er brukt før (linje %d)", "«%s» er brukt før (linje %d)", "%q is used before (line %d)"},
	"bad_language": {"ukjent språk «%s» (bruk nb, nn eller en)", "ukjent språk «%s» (bruk nb, nn eller en)", "unknown language %q (use nb, nn or en)"},
	"bad_timezone": {"ukjent tidssone «%s» (for eksempel Europe/Oslo)", "ukjend tidssone «%s» (til dømes Europe/Oslo)", "unknown time zone %q (for example Europe/Oslo)"},
	"no_goals":     {"planen har ingen mål (goals)", "planen har ingen mål (goals)", "the plan has no goals"},
	"no_strategies": {"målet «%s» har ingen strategier", "målet «%s» har ingen strategiar",
		"goal %q has no strategies"},
	"no_actors":        {"planen har ingen aktører (actors)", "planen har ingen aktørar (actors)", "the plan has no actors"},
	"unknown_strategy": {"ukjent strategi «%s»", "ukjend strategi «%s»", "unknown strategy %q"},
	"unknown_actor":    {"ukjent aktør «%s»", "ukjend aktør «%s»", "unknown actor %q"},
	"bad_group": {"ukjent gruppe «%s» (bruk project_leader, project_group, reference_group eller steering_group)",
		"ukjend gruppe «%s» (bruk project_leader, project_group, reference_group eller steering_group)",
		"unknown group %q (use project_leader, project_group, reference_group or steering_group)"},
	"no_project_leader":    {"planen har ingen prosjektleder (groups: project_leader)", "planen har ingen prosjektleiar (groups: project_leader)", "the plan has no project leader (groups: project_leader)"},
	"many_project_leaders": {"planen kan ha bare én prosjektleder", "planen kan berre ha éin prosjektleiar", "the plan can have only one project leader"},
	"bad_kind":             {"ukjent type «%s» (bruk internal eller external)", "ukjend type «%s» (bruk internal eller external)", "unknown kind %q (use internal or external)"},
	"slack_without_team": {"aktøren «%s» har en Slack-ID, men planen har ingen Slack-arbeidsområde (slack: team)",
		"aktøren «%s» har ein Slack-ID, men planen har ikkje noko Slack-arbeidsområde (slack: team)",
		"actor %q has a Slack ID but the plan has no Slack workspace (slack: team)"},
	"slack_which_team": {"planen har flere Slack-arbeidsområder: skriv Slack-ID-en til «%s» som TEAM/BRUKER",
		"planen har fleire Slack-arbeidsområde: skriv Slack-ID-en til «%s» som TEAM/BRUKAR",
		"the plan has several Slack workspaces: write the Slack ID of %q as TEAM/USER"},
	"unknown_slack_team": {"Slack-arbeidsområdet «%s» står ikke under slack: i planen", "Slack-arbeidsområdet «%s» står ikkje under slack: i planen",
		"Slack workspace %q is not listed under slack: in the plan"},
	"bad_slack_team":    {"ugyldig Slack-arbeidsområde «%s» (begynner med T)", "ugyldig Slack-arbeidsområde «%s» (byrjar med T)", "invalid Slack workspace ID %q (starts with T)"},
	"bad_slack_user":    {"ugyldig Slack-bruker-ID «%s» (begynner med U eller W)", "ugyldig Slack-brukar-ID «%s» (byrjar med U eller W)", "invalid Slack user ID %q (starts with U or W)"},
	"bad_slack_channel": {"ugyldig Slack-kanal-ID «%s» (begynner med C)", "ugyldig Slack-kanal-ID «%s» (byrjar med C)", "invalid Slack channel ID %q (starts with C)"},
	"bad_discord_id": {"ugyldig Discord-ID «%s» (17–20 sifre, i anførselstegn)", "ugyldig Discord-ID «%s» (17–20 siffer, i hermeteikn)",
		"invalid Discord ID %q (17–20 digits, in quotes)"},
	"bad_preferred": {"ukjent plattform «%s» (bruk slack eller discord)", "ukjend plattform «%s» (bruk slack eller discord)", "unknown platform %q (use slack or discord)"},
	"preferred_missing": {"aktøren foretrekker %s, men har ingen ID der", "aktøren føretrekkjer %s, men har ingen ID der",
		"the actor prefers %s but has no ID there"},
	"bad_purpose": {"ukjent formål «%s» (bruk intake, reference_group, steering_group, project_group eller idea_session)",
		"ukjent føremål «%s» (bruk intake, reference_group, steering_group, project_group eller idea_session)",
		"unknown purpose %q (use intake, reference_group, steering_group, project_group or idea_session)"},
	"channel_without_id": {"kanalen «%s» har verken Slack- eller Discord-ID", "kanalen «%s» har verken Slack- eller Discord-ID", "channel %q has neither a Slack nor a Discord ID"},
	"bad_vote": {"ukjent stemme «%s» (bruk support, oppose eller unsure)", "ukjend stemme «%s» (bruk support, oppose eller unsure)",
		"unknown vote %q (use support, oppose or unsure)"},
	"bad_quorum":   {"quorum må være mellom 0 og 1, ikke %v", "quorum må vere mellom 0 og 1, ikkje %v", "quorum must be between 0 and 1, not %v"},
	"bad_duration": {"ugyldig varighet «%s» (for eksempel 48h)", "ugyldig varigheit «%s» (til dømes 48h)", "invalid duration %q (for example 48h)"},
	"conflict": {"«%s» hører allerede til planen «%s»; én Slack- eller Discord-konto, -kanal eller -server kan høre til bare én plan",
		"«%s» høyrer alt til planen «%s»; éin Slack- eller Discord-konto, -kanal eller -server kan berre høyre til éin plan",
		"%q already belongs to plan %q; a Slack or Discord account, channel or server can belong to one plan only"},
}

// DefaultCentralTasks are the nine central tasks of the housing and welfare
// field, named in the plan's language.
func DefaultCentralTasks(lang store.Language) []store.TaskSpec {
	names := [][3]string{
		{"Tjenester og bo-oppfølging", "Tenester og bu-oppfølging", "Services and housing follow-up"},
		{"Forvalte boliger", "Forvalte bustader", "Managing housing"},
		{"Boligtildeling", "Bustadtildeling", "Housing allocation"},
		{"Bo- og nærmiljø", "Bu- og nærmiljø", "Housing and local environment"},
		{"Boligplanlegging", "Bustadplanlegging", "Housing planning"},
		{"Fremskaffe boliger", "Skaffe bustader", "Providing housing"},
		{"Boligfinansiering", "Bustadfinansiering", "Housing finance"},
		{"Organisering av boligsosialt arbeid", "Organisering av bustadsosialt arbeid", "Organising social housing work"},
		{"Utvikling og nytenking", "Utvikling og nytenking", "Development and innovation"},
	}
	keys := []string{"tjenester-og-bo-oppfolging", "forvalte-boliger", "boligtildeling", "bo-og-naermiljo",
		"boligplanlegging", "fremskaffe-boliger", "boligfinansiering", "organisering", "utvikling-og-nytenking"}
	out := make([]store.TaskSpec, len(keys))
	for i, k := range keys {
		out[i] = store.TaskSpec{Key: k, Name: names[i][lang.Index()]}
	}
	return out
}
