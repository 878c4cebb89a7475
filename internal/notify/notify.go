// Package notify reaches people outside the platform: an HTTP voice
// gateway that places automated phone calls and reports the answer through
// a signed callback (语音自动通知), e-mail over SMTP, and the in-app
// confirmation link an expert opens when signed in.
//
// A Channel only delivers a Message; what the message says and what an
// answer means are the caller's business (the expert draw, internal/draw).
// Messages carry only what the recipient needs: the caller writes the text,
// and nothing here adds to it.
package notify

import (
	"context"
	"errors"
)

// Result is what became of a call.
type Result string

const (
	Accepted Result = "accepted"  // the person said yes
	Declined Result = "declined"  // the person said no
	NoAnswer Result = "no_answer" // nobody answered (or nobody answered in time)
	Busy     Result = "busy"      // the line was busy
	Failed   Result = "failed"    // the call could not be placed at all
)

var resultLabels = map[Result]string{
	Accepted: "同意参加", Declined: "拒绝参加", NoAnswer: "无人接听", Busy: "占线", Failed: "呼叫失败",
}

// Label is the result's Chinese name; "" for an unknown result.
func (r Result) Label() string { return resultLabels[r] }

// Valid reports whether r is a known result.
func (r Result) Valid() bool { return resultLabels[r] != "" }

// Message is one notification. CallID identifies the call across the
// channels and in the voice gateway's callback; it is random, not a
// database id.
type Message struct {
	CallID  string
	Phone   string // voice; mainland mobile number
	Email   string // mail
	Subject string // mail subject
	Text    string // what is spoken or written
	Link    string // the in-app confirmation page (mail and in-app)
}

// Channel delivers messages one way.
type Channel interface {
	// Name is "voice", "mail" or "inapp".
	Name() string
	// Send delivers m. An error means it was not delivered (no address
	// for this channel, the gateway or mail server refused, time out).
	Send(ctx context.Context, m Message) error
}

// ErrNoAddress is returned by a channel that has nowhere to send m (no
// phone number for voice, no e-mail address for mail).
var ErrNoAddress = errors.New("notify: 没有可用的联系方式")

// InApp is the confirmation link shown to the expert on the platform: the
// invitation itself is the record the caller keeps, so sending is a no-op
// that always succeeds. It is the channel of last resort.
type InApp struct{}

func (InApp) Name() string                              { return "inapp" }
func (InApp) Send(ctx context.Context, m Message) error { return ctx.Err() }
