package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// concepts are the housing and welfare field's everyday words, grouped by
// what they are about: people describe a need ("kastet ut", "sover i bil")
// where a plan names a measure ("utkastelse", "bostedsløshet"). A text that
// uses any member of a group gets the group as an extra term, so a
// suggestion and a strategy meet through the concept even when they share
// no word. Members match at the start of a word, so that inflected and
// compound forms ("husleierestansen") match too. The groups are general
// knowledge of the field, not fitted to any one plan.
var concepts = [][]string{
	// Homelessness and temporary housing.
	{"bostedsløs", "bustadlaus", "uten bolig", "utan bustad", "uten sted å bo", "utan stad å bu", "sove ute", "sover ute", "søv ute",
		"sofasurf", "sove i bil", "sover i bil", "sove hos venner", "hospits", "midlertidig bo", "mellombels bu", "akuttbolig",
		"nødbolig", "natthjem", "husløs", "på gata", "gata", "campingvogn", "telt", "housing first"},
	// Eviction and rent arrears.
	{"utkastelse", "kastet ut", "kasta ut", "kastes ut", "kaste ut", "satt på gata", "namsmann", "tvangsfravikelse", "fravikelse",
		"husleierestanse", "restanse", "ubetalt husleie", "skylder husleie", "husleiegjeld", "gjeld", "inkasso", "oppsigelse", "miste boligen",
		"miste bustaden", "løslat", "fengsel", "soning", "utskriv"},
	// Owning, loans and finance.
	{"eie", "eige", "eier", "kjøpe", "kjøp", "eget hjem", "egen bolig", "eigen bustad", "startlån", "egenkapital", "eigenkapital", "lån",
		"bank", "finansier", "nedbetal", "leie til eie", "leige til eige", "førstegangskjøp", "renter", "avdrag", "betjeningsevne"},
	// The municipality's own rental housing.
	{"kommunal bolig", "kommunale bolig", "kommunebolig", "kommunal bustad", "kommunale bustad", "utleiebolig", "utleigebustad",
		"gjennomgangsbolig", "boligstiftelse", "boligmasse", "leilighet", "leiligheter", "husvære", "ettroms", "toroms", "tromsleil",
		"hybelleil", "små boliger", "mindre boliger", "kjøpe boliger", "bygge boliger", "nybygg", "bosetting", "flyktning", "vedlikehold"},
	// The private rental market.
	{"utleier", "utleigar", "leietaker", "leigetakar", "leieboer", "husleie", "husleige", "depositum", "leiekontrakt", "leigekontrakt",
		"kontrakt", "sokkel", "hybel", "privat leie", "privatmarked", "leiemarked", "leigemarknad", "annonse", "finn.no", "visning",
		"diskriminer", "avvist", "utleigarar", "leie privat", "leige privat", "bostøtte", "bustøtte", "husleietvist"},
	// Older people, disability and adaptation.
	{"eldre", "gamle", "pensjonist", "alderdom", "rullestol", "rullator", "trapp", "trappefri", "heis", "universell utform",
		"tilgjengelig", "tilpasning", "tilpasse", "tilpassa", "ombygg", "bygge om", "byggje om", "bad", "terskel", "dørstokk",
		"hjelpemiddel", "hjelpemidler", "ergoterapeut", "demens", "glemsk", "falle", "fallalarm", "trygghetsalarm", "komfyrvakt",
		"velferdsteknologi", "omsorgsbolig", "omsorgsbustad", "sykehjem", "sjukeheim", "funksjonsnedsett", "funksjonshemm",
		"utviklingshemm", "syn", "hørsel", "livsløp", "samlokalisert"},
	// Follow-up at home: drugs, mental health, daily living.
	{"rus", "rusbehandl", "avrusning", "rusfri", "psykisk", "psykiatri", "oppfølging", "oppfølgjing", "følge opp", "bo-oppfølging",
		"boveileder", "miljøarbeider", "ambulant", "hjemmebesøk", "heimebesøk", "besøk hjemme", "møter dem hjemme", "act", "fact", "rop",
		"ettervern", "nabokonflikt", "naboklage", "naboer klager", "bo alene", "mestre", "boevne", "praktisk hjelp", "praktisk bistand",
		"døgnbemann", "bemanna", "lar", "behandling"},
	// Children, young people and families.
	{"barn", "barna", "ungene", "familie", "familiar", "foreldre", "aleneforeld", "enslig forsørg", "einsleg forsørg", "mor med",
		"far med", "ungdom", "unge", "ungdommar", "tenåring", "barnevern", "skolebytte", "byttet skole", "bytte skole", "trangbodd",
		"trongbudd", "lav inntekt", "låg inntekt", "lavinntekt", "fattig", "barnehage", "oppvekst"},
	// Land-use planning and building.
	{"regulering", "regulere", "reguler", "arealplan", "arealdel", "kommuneplan", "plan- og bygning", "tomt", "tomter", "utbygg",
		"utbyggingsavtale", "boligprogram", "boligbyggeprogram", "bustadprogram", "byggefelt", "bygges", "byggjast", "fortett",
		"sentrum", "boligtype", "bustadtype", "einebustad", "enebolig", "kvadrat", "selveier", "boligbehov", "prognose",
		"framskriv", "befolkning", "innbyggjartal", "planutval", "planlegg"},
	// Neighbourhoods and local environment.
	{"nærmiljø", "nabolag", "bomiljø", "bumiljø", "bydel", "område", "områdesats", "møteplass", "møtestad", "møtested", "samlingssted",
		"fritid", "ungdomsklubb", "fritidsklubb", "frivillig", "lekeplass", "grøntområde", "uteområde", "park", "trygghet",
		"utrygg", "ensom", "einsam", "levekår", "valgdeltakelse", "blokk", "borettslag", "nabolagsvert", "dugnad", "stedsutvikling"},
	// Applying, allocation and coordination.
	{"søknad", "søke", "søkje", "søkn", "skjema", "tildeling", "tildel", "venteliste", "ventetid", "venter", "ventar", "vedtak",
		"klage", "regler", "reglane", "kriterier", "kriteria", "saksbehandl", "sakshandsam", "saken", "én dør", "en dør", "ei dør",
		"samordn", "koordinator", "kontaktperson", "løpe mellom", "springe mellom", "mellom kontor", "informasjon", "nettside",
		"svar", "digital", "utval", "brukermedvirk"},
	// Competence and ways of working.
	{"kompetanse", "kurs", "opplæring", "veiledning", "rettleiing", "ansatte", "tilsette", "rutine", "samarbeidsavtale", "husbanken",
		"fagdag", "erfaringsutveksl"},
}

// conceptTerms returns the concept terms a text mentions, once per member
// it matches (so a text about eviction in three ways weighs more than one
// passing mention).
func conceptTerms(text string) []string {
	lower := " " + strings.Join(strings.Fields(strings.ToLower(text)), " ")
	var out []string
	for _, group := range concepts {
		term := "@" + strings.ReplaceAll(group[0], " ", "_")
		for _, m := range group {
			if atWordStart(lower, m) {
				out = append(out, term)
			}
		}
	}
	return out
}

// atWordStart reports whether phrase occurs in text at the start of a word.
func atWordStart(text, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 || !isWordByte(text, at) {
			return true
		}
		i = at + 1
	}
}

// isWordByte reports whether the character just before at is part of a
// word.
func isWordByte(text string, at int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:at])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
