package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"ggzy/internal/draw"
	"ggzy/internal/errs"
	"ggzy/internal/notify"
)

// JSON API of the expert draw. The draw service authorizes and decides
// what each caller may see (masked names until unsealing).

func (s *Server) apiDraws(w http.ResponseWriter, r *http.Request) error {
	f := draw.Filter{State: draw.State(r.URL.Query().Get("state"))}
	var err error
	if f.Limit, f.Offset, err = paging(r); err != nil {
		return err
	}
	if v := r.URL.Query().Get("lot"); v != "" {
		if f.LotID, err = strconv.ParseInt(v, 10, 64); err != nil || f.LotID <= 0 {
			var fe errs.Fields
			fe.Add("lot", "须为正整数")
			return fe.Err()
		}
	}
	ds, total, err := s.Draw.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[draw.Draw]{Items: ds, Total: total, Limit: f.Limit, Offset: f.Offset})
	return nil
}

func (s *Server) apiCreateDraw(w http.ResponseWriter, r *http.Request) error {
	var n draw.NewRequest
	if err := decode(w, r, &n); err != nil {
		return err
	}
	d, err := s.Draw.Create(r.Context(), actorOf(r), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (s *Server) apiDraw(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "id", http.StatusOK, s.Draw.Get)
}

func (s *Server) apiCommitDraw(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "id", http.StatusOK, s.Draw.Commit)
}

func (s *Server) apiWitnessDraw(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "id", http.StatusOK, s.Draw.Witness)
}

func (s *Server) apiVerifyDraw(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "id", http.StatusOK, s.Draw.Verify)
}

func (s *Server) apiReplaceDrawCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	call, err := pathID(r, "call")
	if err != nil {
		return err
	}
	var in draw.Replacement
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := s.Draw.Replace(r.Context(), actorOf(r), id, call, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// apiSealedList serves the sealed list PDF (API and page alike).
func (s *Server) apiSealedList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.Draw.SealedList(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="draw-%d-sealed-list.pdf"`, id))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
	return nil
}

// drawPollEvery is how often a live page checks the draw's version, which
// catches changes made on other nodes; changes on this node are pushed at
// once.
const drawPollEvery = 2 * time.Second

// apiDrawEvents streams the draw's progress as Server-Sent Events: the
// whole (masked) draw at once and again whenever it changes, a comment now
// and then to keep proxies from closing the stream. Names are never sent,
// whoever asks.
func (s *Server) apiDrawEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actorOf(r)
	ctx := r.Context()
	d, err := s.Draw.Get(ctx, a, id)
	if err != nil {
		return err
	}
	changed, stop := s.Draw.Subscribe(id)
	defer stop()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	poll := time.NewTicker(drawPollEvery)
	defer poll.Stop()
	ends := time.After(30 * time.Minute) // the browser reconnects
	last := d.Version
	send := func(d draw.Draw) bool {
		b, err := json.Marshal(d.Masked())
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "event: draw\nid: %d\ndata: %s\n\n", d.Version, b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(d) {
		return nil
	}
	beat := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ends:
			return nil
		case <-changed:
		case <-poll.C:
			v, err := s.Draw.Version(ctx, a, id)
			if err != nil {
				return nil
			}
			if v == last {
				if beat++; beat%8 == 0 {
					if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
						return nil
					}
				}
				continue
			}
		}
		if d, err = s.Draw.Get(ctx, a, id); err != nil {
			return nil
		}
		last = d.Version
		if !send(d) {
			return nil
		}
	}
}

func (s *Server) apiInvitations(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.Draw.Invitations(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[draw.Invitation]{Items: inv, Total: len(inv)})
	return nil
}

func (s *Server) apiInvitation(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.Draw.Invitation(r.Context(), actorOf(r), r.PathValue("token"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inv)
	return nil
}

func (s *Server) apiAnswerInvitation(w http.ResponseWriter, r *http.Request) error {
	var in draw.Answer
	if err := decode(w, r, &in); err != nil {
		return err
	}
	inv, err := s.Draw.Answer(r.Context(), actorOf(r), r.PathValue("token"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inv)
	return nil
}

// apiVoiceCallback takes the voice gateway's signed report. The body is
// read raw (bounded): the signature covers its exact bytes.
func (s *Server) apiVoiceCallback(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, notify.MaxCallbackBytes))
	if err != nil {
		return errs.E(errs.Invalid, "回调内容过长")
	}
	if err := s.Draw.VoiceCallback(r.Context(), actorOf(r), r.Header.Get(notify.SignatureHeader), body); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}
