package intake

import (
	"strings"

	"github.com/kommune-dugnad/dugnad/store"
)

// command is a canonical command name.
type command string

const (
	cmdHelp     command = "help"
	cmdStart    command = "start"
	cmdSkip     command = "skip"
	cmdBack     command = "back"
	cmdStop     command = "stop"
	cmdResume   command = "resume"
	cmdLanguage command = "language"
	cmdMine     command = "mine"
	cmdForget   command = "forget"
	cmdInvite   command = "invite"
	cmdStatus   command = "status"
	cmdIdea     command = "idea"
	cmdMeasure  command = "measure"
	cmdList     command = "suggestions"
	cmdCoverage command = "coverage"
	cmdHearing  command = "hearing"
	cmdApprove  command = "approve"
	cmdReturn   command = "return"
	cmdAnchor   command = "anchor"
	cmdDigest   command = "digest"
)

// commandsWithArgs take the rest of the line as their argument.
var commandsWithArgs = map[command]bool{cmdLanguage: true, cmdInvite: true, cmdIdea: true, cmdMeasure: true, cmdList: true,
	cmdHearing: true, cmdApprove: true, cmdReturn: true, cmdAnchor: true, cmdDigest: true}

// leaderCommands are the project leader's and project group's.
var leaderCommands = map[command]bool{cmdInvite: true, cmdIdea: true, cmdMeasure: true, cmdList: true, cmdCoverage: true,
	cmdHearing: true, cmdAnchor: true, cmdDigest: true}

// steeringCommands are the steering group's.
var steeringCommands = map[command]bool{cmdApprove: true, cmdReturn: true}

// commandWords maps what people write, in any of the three languages, to
// the command. A message is a command only when it is the command word
// alone (with an argument for "språk"), so answers that merely contain
// these words are answers.
var commandWords = map[string]command{
	"hjelp": cmdHelp, "help": cmdHelp, "?": cmdHelp,
	"start": cmdStart, "begynn": cmdStart, "byrj": cmdStart, "begin": cmdStart,
	"hopp": cmdSkip, "hopp over": cmdSkip, "skip": cmdSkip,
	"tilbake": cmdBack, "attende": cmdBack, "back": cmdBack, "angre": cmdBack, "undo": cmdBack,
	"stopp": cmdStop, "stop": cmdStop, "pause": cmdStop,
	"fortsett": cmdResume, "hald fram": cmdResume, "halde fram": cmdResume, "resume": cmdResume, "continue": cmdResume,
	"språk": cmdLanguage, "sprak": cmdLanguage, "language": cmdLanguage, "lang": cmdLanguage,
	"mine": cmdMine, "mine innspill": cmdMine, "mine innspel": cmdMine, "my suggestions": cmdMine,
	"glem meg": cmdForget, "gløym meg": cmdForget, "forget me": cmdForget, "glem": cmdForget, "gløym": cmdForget, "forget": cmdForget,
	"fjern navnet mitt": cmdForget, "fjern namnet mitt": cmdForget,
	"inviter": cmdInvite, "invite": cmdInvite,
	"status": cmdStatus, "oversikt": cmdStatus, "oversyn": cmdStatus,
	"idedugnad": cmdIdea, "idédugnad": cmdIdea, "ideas": cmdIdea, "idea-session": cmdIdea,
	"tiltak": cmdMeasure, "measure": cmdMeasure, "measures": cmdMeasure,
	"innspill": cmdList, "innspel": cmdList, "suggestions": cmdList,
	"dekning": cmdCoverage, "dekking": cmdCoverage, "coverage": cmdCoverage,
	"høring": cmdHearing, "horing": cmdHearing, "høyring": cmdHearing, "hoyring": cmdHearing, "hearing": cmdHearing,
	"godkjenn": cmdApprove, "approve": cmdApprove,
	"returner": cmdReturn, "return": cmdReturn,
	"forankre": cmdAnchor, "forankra": cmdAnchor, "anchor": cmdAnchor,
	"digest": cmdDigest, "sammendrag": cmdDigest, "samandrag": cmdDigest,
}

// parseCommand recognises a command in a command name (from a slash
// command) or a whole message, with an optional leading "/" or
// "/dugnad". It returns the command and its argument.
func parseCommand(text string) (command, string, bool) {
	t := strings.ToLower(strings.TrimSpace(text))
	t = strings.TrimPrefix(t, "/")
	t = strings.TrimSpace(strings.TrimPrefix(t, "dugnad"))
	t = strings.Join(strings.Fields(t), " ")
	if c, ok := commandWords[t]; ok {
		return c, "", true
	}
	// "språk nn", "inviter referansegruppe innen 1.2.2027": commands
	// with an argument. The argument keeps its case (names, IDs).
	if word, _, ok := strings.Cut(t, " "); ok {
		if c := commandWords[word]; commandsWithArgs[c] {
			// Collapse white space first: a tab, newline or no-break
			// space after "dugnad" separates it as a space does.
			orig := strings.TrimPrefix(strings.TrimSpace(text), "/")
			orig = strings.Join(strings.Fields(orig), " ")
			if strings.HasPrefix(strings.ToLower(orig), "dugnad ") {
				orig = orig[len("dugnad "):]
			}
			_, arg, _ := strings.Cut(orig, " ")
			return c, arg, true
		}
	}
	return "", "", false
}

// parseLanguage reads a language argument: a code or a name.
func parseLanguage(arg string) (store.Language, bool) {
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "nb", "bokmål", "bokmal", "norsk", "no":
		return store.Bokmal, true
	case "nn", "nynorsk":
		return store.Nynorsk, true
	case "en", "english", "engelsk":
		return store.English, true
	}
	return "", false
}
