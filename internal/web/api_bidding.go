package web

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/errs"
)

// The sealed container is the request body as it is (Content-Type
// application/octet-stream): no multipart, so the service can stream it.
func (s *Server) apiSubmitBid(w http.ResponseWriter, r *http.Request) error {
	lot, round, err := lotRound(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	rc, err := s.Bidding.Submit(r.Context(), a, lot, r.Body, bidding.Upload{IP: a.IP, Round: round})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rc)
	return nil
}

func (s *Server) apiMyBid(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "lot", http.StatusOK, s.Bidding.Mine)
}

func (s *Server) apiWithdrawBid(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "lot", http.StatusOK, s.Bidding.Withdraw)
}

type decryptInput struct {
	ContentKey string `json:"content_key"` // 32 hex digits
}

func (s *Server) apiDecryptBid(w http.ResponseWriter, r *http.Request) error {
	lot, err := pathID(r, "lot")
	if err != nil {
		return err
	}
	var in decryptInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := s.decryptBid(r, lot, in.ContentKey)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// decryptBid hands a typed content key to the service. A key that does not
// parse still goes to the service (as nil), so who may decrypt is decided
// before the input is judged; its field error then names the hex form.
func (s *Server) decryptBid(r *http.Request, lot int64, typed string) (bidding.Opened, error) {
	key, perr := parseContentKey(typed)
	out, err := s.Bidding.Decrypt(r.Context(), actorOf(r), lot, key)
	if err != nil && perr != nil && errs.CodeOf(err) == errs.Invalid {
		return out, perr
	}
	return out, err
}

func parseContentKey(v string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(v))
	if err != nil || len(key) != 16 {
		var f errs.Fields
		f.Add("content_key", "内容密钥应为 32 位十六进制字符（由 ggzy bid decrypt 或投标工具给出）")
		return nil, f.Err()
	}
	return key, nil
}

// lotRound reads the lot from the path and the optional ?round= (轮次; 0 or
// absent: the lot's current round).
func lotRound(r *http.Request) (lot int64, round int, err error) {
	if lot, err = pathID(r, "lot"); err != nil {
		return 0, 0, err
	}
	round, err = queryInt(r, "round", 0, 0, 1000)
	return lot, round, err
}

// withRound serves a call on one round of a lot: the lot from the path,
// the round from ?round=.
func withRound[Out any](w http.ResponseWriter, r *http.Request,
	call func(context.Context, auth.Actor, int64, int) (Out, error)) error {
	lot, round, err := lotRound(r)
	if err != nil {
		return err
	}
	out, err := call(r.Context(), actorOf(r), lot, round)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiHall(w http.ResponseWriter, r *http.Request) error {
	return withRound(w, r, s.Bidding.HallRound)
}

// apiHallEvents pushes the hall every second until the client leaves or
// the opening has ended. Every node reads the same database, so any node
// can serve any client.
func (s *Server) apiHallEvents(w http.ResponseWriter, r *http.Request) error {
	lot, round, err := lotRound(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	h, err := s.Bidding.HallRound(r.Context(), a, lot, round)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// A stream lasts ten minutes at most; EventSource reconnects by
	// itself. While the deadline is far off the hall changes only by the
	// clock, which the page ticks on its own, so it is read slowly.
	end := time.NewTimer(hallStreamLife)
	defer end.Stop()
	for {
		b, err := json.Marshal(h)
		if err != nil {
			return nil
		}
		if _, err := fmt.Fprintf(w, "event: hall\ndata: %s\n\n", b); err != nil {
			return nil
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
		if h.State == bidding.Recorded || h.State == bidding.Failed {
			return nil
		}
		pace := time.Second
		if h.State == bidding.Waiting && h.Deadline.Sub(h.ServerTime) > 2*time.Minute {
			pace = 15 * time.Second
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-end.C:
			return nil
		case <-time.After(pace):
		}
		if h, err = s.Bidding.HallRound(r.Context(), a, lot, round); err != nil {
			return nil
		}
	}
}

// hallStreamLife bounds one opening-hall event stream.
const hallStreamLife = 10 * time.Minute

func (s *Server) apiRecord(w http.ResponseWriter, r *http.Request) error {
	return withRound(w, r, s.Bidding.RecordOf)
}

func (s *Server) apiRecordPDF(w http.ResponseWriter, r *http.Request) error {
	lot, round, err := lotRound(r)
	if err != nil {
		return err
	}
	pdf, sig, err := s.Bidding.RecordPDFOf(r.Context(), actorOf(r), lot, round)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("opening-record-%d.pdf", lot)
	if round > 1 {
		name = fmt.Sprintf("opening-record-%d-round-%d.pdf", lot, round)
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s"`, name))
	w.Header().Set("X-Ggzy-Signature", hex.EncodeToString(sig))
	w.Write(pdf)
	return nil
}

func (s *Server) apiRespond(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "lot", http.StatusCreated, s.Bidding.Respond)
}

type answerInput struct {
	Text string `json:"text"`
}

func (s *Server) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	lot, err := pathID(r, "lot")
	if err != nil {
		return err
	}
	id, err := pathID(r, "response")
	if err != nil {
		return err
	}
	var in answerInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := s.Bidding.Answer(r.Context(), actorOf(r), lot, id, in.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiSignals(w http.ResponseWriter, r *http.Request) error {
	return withRound(w, r, s.Bidding.Signals)
}

func (s *Server) apiOpeningSettings(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "lot", http.StatusOK, s.Bidding.SetSettings)
}

func (s *Server) apiReceiptKey(w http.ResponseWriter, r *http.Request) error {
	pem, err := s.Bidding.ReceiptKey(actorOf(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Write(pem)
	return nil
}

type commitmentsOut struct {
	Commitments []string `json:"commitments"`
	SM3         string   `json:"sm3"` // as in the opening.start audit event
}

func (s *Server) apiCommitments(w http.ResponseWriter, r *http.Request) error {
	lot, round, err := lotRound(r)
	if err != nil {
		return err
	}
	list, sum, err := s.Bidding.Commitments(r.Context(), actorOf(r), lot, round)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, commitmentsOut{Commitments: list, SM3: sum})
	return nil
}
