package store

import "fmt"

// Language is a plan's or actor's written language.
type Language string

const (
	Bokmal  Language = "nb"
	Nynorsk Language = "nn"
	English Language = "en"
)

// Languages lists the languages Dugnad speaks, default first.
var Languages = []Language{Bokmal, Nynorsk, English}

// Index is l's place in Languages (0 for an unknown language): texts kept
// as [3]string{bokmål, nynorsk, English} are picked with it.
func (l Language) Index() int {
	switch l {
	case Nynorsk:
		return 1
	case English:
		return 2
	}
	return 0
}

// Valid reports whether l is one of Languages.
func (l Language) Valid() bool { return l == Bokmal || l == Nynorsk || l == English }

// Basis is the guidance's assessment of why the municipality would act:
// må (must: law, regulation, agreement), bør (should: it wants the result),
// vil (will: own motivation, needs of society), kan (can: within resources).
type Basis string

const (
	BasisMust   Basis = "must"
	BasisShould Basis = "should"
	BasisWill   Basis = "will"
	BasisCan    Basis = "can"
)

// Bases lists the assessments in the guidance's order.
var Bases = []Basis{BasisMust, BasisShould, BasisWill, BasisCan}

// Valid reports whether b is empty (not assessed) or one of Bases.
func (b Basis) Valid() bool {
	switch b {
	case "", BasisMust, BasisShould, BasisWill, BasisCan:
		return true
	}
	return false
}

// WhoActs is who should carry out a suggestion or measure: the municipality
// itself, together with other actors, or left to others.
type WhoActs string

const (
	WhoSelf     WhoActs = "self"
	WhoTogether WhoActs = "together"
	WhoOthers   WhoActs = "others"
)

// WhoActsAll lists the options in the guidance's order.
var WhoActsAll = []WhoActs{WhoSelf, WhoTogether, WhoOthers}

// Valid reports whether w is empty (not assessed) or one of WhoActsAll.
func (w WhoActs) Valid() bool {
	switch w {
	case "", WhoSelf, WhoTogether, WhoOthers:
		return true
	}
	return false
}

// Role is a group an actor belongs to in a plan.
type Role string

const (
	RoleProjectLeader  Role = "project_leader"
	RoleProjectGroup   Role = "project_group"
	RoleReferenceGroup Role = "reference_group"
	RoleSteeringGroup  Role = "steering_group"
)

// Roles lists the roles in the order the plan file names them.
var Roles = []Role{RoleProjectLeader, RoleProjectGroup, RoleReferenceGroup, RoleSteeringGroup}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// ActorKind tells the municipality's own units from everyone else.
type ActorKind string

const (
	Internal ActorKind = "internal"
	External ActorKind = "external"
)

// ChannelPurpose is what a plan's channel is for.
type ChannelPurpose string

const (
	PurposeIntake         ChannelPurpose = "intake"
	PurposeReferenceGroup ChannelPurpose = "reference_group"
	PurposeSteeringGroup  ChannelPurpose = "steering_group"
	PurposeProjectGroup   ChannelPurpose = "project_group"
	PurposeIdeaSession    ChannelPurpose = "idea_session"
)

// ChannelPurposes lists the valid purposes.
var ChannelPurposes = []ChannelPurpose{PurposeIntake, PurposeReferenceGroup, PurposeSteeringGroup, PurposeProjectGroup, PurposeIdeaSession}

// Origin is how a suggestion came in.
type Origin string

const (
	OriginDialog        Origin = "dialog"
	OriginIdeaSession   Origin = "idea_session"
	OriginIntakeChannel Origin = "intake_channel"
	OriginImport        Origin = "import"
)

// MeasureStatus is where a measure is in the process.
type MeasureStatus string

const (
	StatusDraft     MeasureStatus = "draft"
	StatusOnHearing MeasureStatus = "on_hearing"
	StatusHeard     MeasureStatus = "heard"
	StatusApproved  MeasureStatus = "approved"
	StatusReturned  MeasureStatus = "returned"
	StatusAnchored  MeasureStatus = "anchored"
)

// measureTransitions are the status changes the process allows.
var measureTransitions = map[MeasureStatus][]MeasureStatus{
	StatusDraft:     {StatusOnHearing},
	StatusOnHearing: {StatusHeard, StatusDraft}, // back to draft if a hearing is cancelled
	StatusHeard:     {StatusApproved, StatusReturned},
	StatusReturned:  {StatusDraft, StatusOnHearing},
	StatusApproved:  {StatusAnchored},
}

// CanMove reports whether the process allows moving a measure from s to t.
func (s MeasureStatus) CanMove(t MeasureStatus) bool {
	for _, x := range measureTransitions[s] {
		if x == t {
			return true
		}
	}
	return false
}

// VoteChoice is a reference-group member's vote on a measure.
type VoteChoice string

const (
	VoteSupport VoteChoice = "support"
	VoteOppose  VoteChoice = "oppose"
	VoteUnsure  VoteChoice = "unsure"
)

// Decision is a steering-group decision on a heard measure, or the project
// leader's record that an approved measure is anchored.
type Decision string

const (
	DecisionApprove Decision = "approve"
	DecisionReturn  Decision = "return"
	DecisionAnchor  Decision = "anchor"
)

// QuestionCount is the number of guiding questions per strategy.
const QuestionCount = 7

// InvalidError is a refused change: the input breaks a rule of the domain.
// Its message is for the person who gave the input.
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string { return "store: " + e.Msg }

func invalidf(format string, args ...any) error {
	return &InvalidError{Msg: fmt.Sprintf(format, args...)}
}
