package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/errs"
)

// Pages of the bidding area: the list of lots (taking bids, or the
// openings of one's projects and jurisdiction), the bidder's own bid on a
// lot (upload, receipt, withdrawal, decryption) and the opening hall. The
// services authorize and keep the secret: before the deadline nothing here
// shows who bid or how many, to any role. Forms re-render with the Chinese
// reason on input the user can correct.

// countdown is the time from now until t in Chinese ("2天3小时4分"), or ""
// once t has come.
func countdown(now, t time.Time) string {
	d := t.Sub(now)
	if t.IsZero() || d <= 0 {
		return ""
	}
	d = d.Round(time.Second)
	days, d := d/(24*time.Hour), d%(24*time.Hour)
	hours, d := d/time.Hour, d%time.Hour
	mins, secs := d/time.Minute, (d%time.Minute)/time.Second
	var b strings.Builder
	if days > 0 {
		fmt.Fprintf(&b, "%d天", days)
	}
	if days > 0 || hours > 0 {
		fmt.Fprintf(&b, "%d小时", hours)
	}
	fmt.Fprintf(&b, "%d分%d秒", mins, secs)
	return b.String()
}

// formFailure tells input the user can correct (shown on the page again)
// from anything else (the error page).
func formFailure(err error) bool {
	switch errs.CodeOf(err) {
	case errs.Invalid, errs.Conflict, errs.Rule, errs.NotFound:
		return true
	}
	return false
}

// ---- the list ----

func (s *Server) bidsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	a := actorOf(r)
	data := map[string]any{"Title": "投标与开标"}
	if a.Role == auth.Bidder {
		taking, err := s.Bidding.Taking(r.Context(), a)
		if err != nil {
			return err
		}
		mine, err := s.Bidding.MyOpened(r.Context(), a)
		if err != nil {
			return err
		}
		data["Taking"], data["Mine"], data["IsBidder"] = taking, mine, true
	} else {
		lots, err := s.Bidding.HallLots(r.Context(), a)
		if err != nil {
			return err
		}
		data["Title"], data["Lots"] = "开标大厅", lots
	}
	s.render(w, r, "bids", data)
	return nil
}

// ---- the bidder's own bid ----

// bidForms carries what a page shows besides the bid: an error, what was
// typed, a withdrawal receipt that cannot be fetched again.
type bidForms struct {
	Error      string
	Fields     map[string]string
	ContentKey string
	Withdrawal *bidding.SignedReceipt
}

func (s *Server) bidPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderBid(w, r, http.StatusOK, bidForms{})
}

func (s *Server) renderBid(w http.ResponseWriter, r *http.Request, code int, forms bidForms) error {
	lot, err := pathID(r, "lot")
	if err != nil {
		return err
	}
	a := actorOf(r)
	mine, err := s.Bidding.Mine(r.Context(), a, lot)
	if err != nil {
		return err
	}
	h, err := s.Bidding.Hall(r.Context(), a, lot)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	data := map[string]any{"Title": "投标文件 · " + h.LotName, "Hall": h, "Mine": mine, "Forms": forms,
		"Error": forms.Error, "Fields": forms.Fields,
		"Taking":     h.State == bidding.Waiting && !h.Deadline.IsZero() && now.Before(h.Deadline),
		"Countdown":  countdown(now, h.Deadline),
		"WindowLeft": countdown(now, h.WindowEndsAt),
		"Decrypting": h.State == bidding.Decrypting && mine.Status == bidding.Pending && now.Before(h.WindowEndsAt),
		"Wrapped":    base64.StdEncoding.EncodeToString(mine.WrappedKey),
		"MaxMB":      s.Bidding.MaxBidBytes >> 20, "Server": serverURL(r)}
	if forms.Withdrawal != nil {
		b, err := json.MarshalIndent(forms.Withdrawal, "", "  ")
		if err != nil {
			return err
		}
		data["WithdrawalJSON"] = string(b)
		// Data the server made itself, base64: safe as a download link.
		data["WithdrawalHref"] = template.URL("data:application/json;base64," + base64.StdEncoding.EncodeToString(b))
	}
	s.renderStatus(w, r, code, "bid", data)
	return nil
}

// serverURL is the platform's address as the visitor reached it, for the
// command lines the page suggests.
func serverURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) bidFailed(w http.ResponseWriter, r *http.Request, err error, forms bidForms) error {
	if !formFailure(err) {
		return err
	}
	forms.Fields, forms.Error = fieldErrors(err)
	return s.renderBid(w, r, status(errs.CodeOf(err)), forms)
}

func lotPath(lot int64, rest string) string {
	return "/workbench/lots/" + strconv.FormatInt(lot, 10) + rest
}

// bidUpload takes the upload form. Its CSRF token travels in the action URL
// (see identify), so the body is not parsed before it gets here: the file
// part streams straight into the service, which hashes, checks and stores
// it on the way, whatever its size.
func (s *Server) bidUpload(w http.ResponseWriter, r *http.Request) error {
	lot, err := pathID(r, "lot")
	if err != nil {
		return err
	}
	a := actorOf(r)
	// The service enforces the file limit; this bounds the whole body.
	r.Body = http.MaxBytesReader(w, r.Body, s.Bidding.MaxBidBytes+maxFormBytes)
	rc, err := s.streamBid(r, a, lot)
	if err != nil {
		return s.bidFailed(w, r, err, bidForms{})
	}
	redirectFlash(w, r, lotPath(lot, "/bid"), fmt.Sprintf("投标文件已递交，回执编号 %d，SM3 %s", rc.Receipt.Seq, rc.Receipt.Digest))
	return nil
}

func (s *Server) streamBid(r *http.Request, a auth.Actor, lot int64) (bidding.SignedReceipt, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return bidding.SignedReceipt{}, uploadInvalid("请选择加密投标文件上传")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return bidding.SignedReceipt{}, uploadInvalid("请选择加密投标文件上传")
		}
		if err != nil {
			return bidding.SignedReceipt{}, uploadInvalid("上传内容不完整或格式有误，请重新上传")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		if part.FileName() == "" {
			return bidding.SignedReceipt{}, uploadInvalid("请选择加密投标文件上传")
		}
		rc, err := s.Bidding.Submit(r.Context(), a, lot, part, bidding.Upload{IP: a.IP})
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return rc, uploadInvalid("上传内容过大")
		}
		return rc, err
	}
}

// bidReceipt sends the receipt of the bidder's active bid as the JSON
// file `ggzy receipt verify` checks.
func (s *Server) bidReceipt(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	lot, err := pathID(r, "lot")
	if err != nil {
		return err
	}
	mine, err := s.Bidding.Mine(r.Context(), actorOf(r), lot)
	if err != nil {
		return err
	}
	if mine.Receipt == nil {
		return errs.E(errs.NotFound, "您在该标段没有投标回执")
	}
	b, err := json.MarshalIndent(mine.Receipt, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="receipt-%d.json"`, mine.Receipt.Receipt.Seq))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(b, '\n'))
	return nil
}

func (s *Server) bidWithdraw(w http.ResponseWriter, r *http.Request) error {
	lot, err := pathID(r, "lot")
	if err != nil {
		return err
	}
	rc, err := s.Bidding.Withdraw(r.Context(), actorOf(r), lot)
	if err != nil {
		return s.bidFailed(w, r, err, bidForms{})
	}
	// The withdrawal receipt is shown now, to be saved: the page cannot
	// fetch it again later.
	return s.renderBid(w, r, http.StatusOK, bidForms{Withdrawal: &rc})
}

func (s *Server) bidDecrypt(w http.ResponseWriter, r *http.Request) error {
	lot, err := pathID(r, "lot")
	if err != nil {
		return err
	}
	typed := r.PostFormValue("content_key")
	if _, err := s.decryptBid(r, lot, typed); err != nil {
		return s.bidFailed(w, r, err, bidForms{ContentKey: typed})
	}
	redirectFlash(w, r, lotPath(lot, "/bid"), "投标文件已解密")
	return nil
}

// ---- the opening hall ----

// hallForms carries a failed form back into the hall.
type hallForms struct {
	Error          string
	Fields         map[string]string
	Form           string // which form failed: respond | answer | settings
	Text           string
	DecryptMinutes string
}

func (s *Server) openingPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderHall(w, r, http.StatusOK, hallForms{})
}

func (s *Server) renderHall(w http.ResponseWriter, r *http.Request, code int, forms hallForms) error {
	lot, round, err := lotRound(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	h, err := s.Bidding.HallRound(r.Context(), a, lot, round)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	// An earlier round's hall shows its record only: the forms act on the
	// current round.
	earlier := h.Round != h.CurrentRound
	data := map[string]any{"Title": "开标大厅 · " + h.LotName, "Hall": h, "Forms": forms, "Error": forms.Error,
		"Fields": forms.Fields, "Started": h.State != bidding.Waiting, "Earlier": earlier}
	// One countdown: to the opening, then to the end of the decryption window.
	switch h.State {
	case bidding.Waiting:
		data["CountdownLabel"], data["Countdown"] = "距开标", countdown(now, h.Deadline)
	case bidding.Decrypting:
		data["CountdownLabel"], data["Countdown"] = "距解密结束", countdown(now, h.WindowEndsAt)
	}
	switch {
	case earlier:
	case a.Role == auth.Bidder:
		mine, err := s.Bidding.Mine(r.Context(), a, lot)
		if err != nil {
			return err
		}
		data["Mine"] = mine
		// A bidder of this lot may confirm the record (once) or object.
		if h.State == bidding.Recorded && mine.Status != "" {
			confirmed := false
			for _, rs := range h.Responses {
				if rs.BidderID == a.OrgID && rs.Kind == "confirm" {
					confirmed = true
				}
			}
			data["CanRespond"], data["Confirmed"] = true, confirmed
		}
	case auth.Can(a.Role, auth.AnswerOpening):
		data["CanAnswer"] = h.State == bidding.Recorded
	}
	if !earlier && auth.Can(a.Role, auth.ManageOpening) && h.State == bidding.Waiting && !h.Deadline.IsZero() && now.Before(h.Deadline) {
		data["CanSettings"] = true
		if forms.DecryptMinutes == "" {
			forms.DecryptMinutes = strconv.Itoa(int(s.Bidding.DefaultWindow / time.Minute))
			data["Forms"] = forms
		}
	}
	// Supervision signals, once the opening has started, for those who
	// may read them on this lot.
	if auth.Can(a.Role, auth.ReadSignals) && h.State != bidding.Waiting {
		if sig, err := s.Bidding.Signals(r.Context(), a, lot, h.Round); err == nil {
			data["Signals"] = sig
		}
	}
	s.renderStatus(w, r, code, "opening", data)
	return nil
}

func (s *Server) hallFailed(w http.ResponseWriter, r *http.Request, err error, forms hallForms) error {
	if !formFailure(err) {
		return err
	}
	forms.Fields, forms.Error = fieldErrors(err)
	return s.renderHall(w, r, status(errs.CodeOf(err)), forms)
}

func (s *Server) openingRespond(w http.ResponseWriter, r *http.Request) error {
	lot, err := pathID(r, "lot")
	if err != nil {
		return err
	}
	in := bidding.ResponseInput{Kind: r.PostFormValue("kind"), Text: strings.TrimSpace(r.PostFormValue("text"))}
	if _, err := s.Bidding.Respond(r.Context(), actorOf(r), lot, in); err != nil {
		return s.hallFailed(w, r, err, hallForms{Form: "respond", Text: in.Text})
	}
	msg := "已确认开标记录"
	if in.Kind == "objection" {
		msg = "异议已提交，请等待招标人答复"
	}
	redirectFlash(w, r, lotPath(lot, "/opening"), msg)
	return nil
}

func (s *Server) openingAnswer(w http.ResponseWriter, r *http.Request) error {
	lot, err := pathID(r, "lot")
	if err != nil {
		return err
	}
	id, err := pathID(r, "response")
	if err != nil {
		return err
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if _, err := s.Bidding.Answer(r.Context(), actorOf(r), lot, id, text); err != nil {
		return s.hallFailed(w, r, err, hallForms{Form: "answer", Text: text})
	}
	redirectFlash(w, r, lotPath(lot, "/opening"), "已答复异议")
	return nil
}

func (s *Server) openingSettings(w http.ResponseWriter, r *http.Request) error {
	lot, err := pathID(r, "lot")
	if err != nil {
		return err
	}
	typed := strings.TrimSpace(r.PostFormValue("decrypt_minutes"))
	minutes, err := strconv.Atoi(typed)
	if err != nil {
		minutes = -1 // named by the service
	}
	if _, err := s.Bidding.SetSettings(r.Context(), actorOf(r), lot, bidding.Settings{DecryptMinutes: minutes}); err != nil {
		return s.hallFailed(w, r, err, hallForms{Form: "settings", DecryptMinutes: typed})
	}
	redirectFlash(w, r, lotPath(lot, "/opening"), fmt.Sprintf("解密时限已设为 %d 分钟", minutes))
	return nil
}
