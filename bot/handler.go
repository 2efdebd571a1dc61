package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/kommune-dugnad/dugnad/store"
)

// Request is an event with what the bot knows about it: the plan it
// belongs to, who caused it and their roles.
type Request struct {
	Event
	// Plan is the plan the workspace, channel or user belongs to; nil when
	// none does.
	Plan *store.Plan
	// Actor is the plan's actor behind the platform account; nil for a
	// user the plan does not know.
	Actor *store.Actor
	Roles []store.Role
	// PlanChannel is the plan's channel the event happened in, if any.
	PlanChannel *store.Channel
	// RunJobs asks for the scheduled work to run as soon as the event's
	// effects are committed (a hearing closed early by the leader).
	RunJobs bool
}

// Has reports whether the actor has the role.
func (r *Request) Has(role store.Role) bool {
	for _, x := range r.Roles {
		if x == role {
			return true
		}
	}
	return false
}

// By is the request's actor as the author of changes.
func (r *Request) By() store.By {
	b := store.By{Label: r.Platform + ":" + r.User}
	if r.Actor != nil {
		b.ActorID = r.Actor.ID
	}
	return b
}

// Reply makes a message to where the event happened (its thread included).
func (r *Request) Reply(text string, choices ...Choice) Message {
	return Message{Platform: r.Platform, Channel: r.Channel, Thread: r.Thread, Text: text, Choices: choices}
}

// Handler does the work of an event inside its transaction and returns the
// messages to send, which the bot queues in the same transaction.
type Handler interface {
	Handle(ctx context.Context, tx *store.Tx, req *Request) ([]Message, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, tx *store.Tx, req *Request) ([]Message, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, tx *store.Tx, req *Request) ([]Message, error) {
	return f(ctx, tx, req)
}

// Middleware wraps a Handler with a cross-cutting concern.
type Middleware func(Handler) Handler

// Chain applies middleware so that the first listed runs outermost.
func Chain(h Handler, mw ...Middleware) Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// Recover turns a panic in a handler into an error, so one bad event cannot
// take the process down; its transaction is rolled back.
func Recover(log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, tx *store.Tx, req *Request) (out []Message, err error) {
			defer func() {
				if p := recover(); p != nil {
					log.Error("handler panic", "platform", req.Platform, "event_id", req.ID, "panic", p, "stack", string(debug.Stack()))
					out, err = nil, fmt.Errorf("bot: handler panic: %v", p)
				}
			}()
			return next.Handle(ctx, tx, req)
		})
	}
}

// resolve finds the plan, the actor and their roles for an event: the
// plan by the channel, else by the workspace, else by the user's account.
func resolve(ctx context.Context, tx *store.Tx, ev Event) (*Request, error) {
	req := &Request{Event: ev}
	if ev.Channel != "" {
		ch, err := tx.ChannelByPlatformID(ctx, ev.Platform, ev.Channel)
		switch {
		case err == nil:
			req.PlanChannel = &ch
			p, err := tx.PlanByID(ctx, ch.PlanID)
			if err != nil {
				return nil, err
			}
			req.Plan = &p
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	if req.Plan == nil && ev.Workspace != "" {
		p, err := tx.PlanForWorkspace(ctx, ev.Platform, ev.Workspace)
		switch {
		case err == nil:
			req.Plan = &p
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	// An account is known in its workspace, or platform-wide (Discord
	// user IDs are global, and a Discord DM names no server).
	for _, ws := range []string{ev.Workspace, ""} {
		a, err := tx.ActorByIdentity(ctx, store.Identity{Platform: ev.Platform, Workspace: ws, UserID: ev.User})
		if errors.Is(err, store.ErrNotFound) {
			if ws == "" {
				break
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if req.Plan != nil && a.PlanID != req.Plan.ID {
			break // someone from another plan, in this plan's place
		}
		if req.Plan == nil {
			p, err := tx.PlanByID(ctx, a.PlanID)
			if err != nil {
				return nil, err
			}
			req.Plan = &p
		}
		req.Actor = &a
		break
	}
	if req.Actor != nil {
		roles, err := tx.ActorRoles(ctx, req.Actor.ID)
		if err != nil {
			return nil, err
		}
		req.Roles = roles
	}
	return req, nil
}
