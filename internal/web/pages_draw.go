package web

import (
	"net/http"
	"strconv"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/draw"
	"ggzy/internal/errs"
)

// Pages of the expert draw: the list, the request form, the draw page
// (staff fix the pool; the witness contributes randomness from the browser
// or typed in, prints the sealed list; supervisors verify; everyone
// allowed follows the call-out live, masked), and the expert's
// invitations. The services authorize; forms come back with the Chinese
// reason on input the user can correct.

func (s *Server) drawsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	a := actorOf(r)
	ds, total, err := s.Draw.List(r.Context(), a, draw.Filter{Limit: 100})
	if err != nil {
		return err
	}
	s.render(w, r, "draws", map[string]any{"Title": "评标专家抽取", "Draws": ds, "Total": total,
		"CanRequest": auth.Can(a.Role, auth.RequestDraw)})
	return nil
}

// drawForm is the request form as typed.
type drawForm struct {
	Lot, EvalStart, EvalEnd, Venue, Booking       string
	Quotas                                        [3]struct{ Specialty, Formal, Alternates string }
	Centres                                       map[string]bool
	Reps, MaxServes, ServesMonths, MaxAge, Answer string
	Complex                                       bool
	Named                                         string
}

func (s *Server) drawNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	a := actorOf(r)
	if err := a.Authorize(auth.RequestDraw); err != nil {
		return err
	}
	f := drawForm{Lot: r.URL.Query().Get("lot"), Reps: "0", MaxAge: "70", Answer: "30", Centres: map[string]bool{}}
	f.Quotas[0].Formal, f.Quotas[0].Alternates = "5", "1"
	cs, err := s.Auth.ListCentres(r.Context())
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.ID == a.CentreID {
			f.Centres[c.RegionCode] = true
		}
	}
	return s.renderDrawNew(w, r, http.StatusOK, f, nil, "")
}

func (s *Server) renderDrawNew(w http.ResponseWriter, r *http.Request, code int, f drawForm, fields map[string]string, msg string) error {
	a := actorOf(r)
	lots, err := s.Draw.DrawableLots(r.Context(), a)
	if err != nil {
		return err
	}
	cs, err := s.Auth.ListCentres(r.Context())
	if err != nil {
		return err
	}
	s.renderStatus(w, r, code, "draw_new", map[string]any{"Title": "申请抽取评标专家", "Form": f, "Lots": lots,
		"Centres": cs, "Fields": fields, "Error": msg, "Levels": centreLevels(cs)})
	return nil
}

// centreLevels labels each centre by level for the eligibility choice.
func centreLevels(cs []centre.Centre) map[string]string {
	out := map[string]string{}
	for _, c := range cs {
		out[c.RegionCode] = c.Level.Label()
	}
	return out
}

func atoiOr(s string, def int) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1 // the service names the field
	}
	return n
}

func (s *Server) drawCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	r.ParseForm()
	f := drawForm{Lot: r.PostFormValue("lot_id"), EvalStart: r.PostFormValue("eval_start"), EvalEnd: r.PostFormValue("eval_end"),
		Venue: r.PostFormValue("venue"), Booking: r.PostFormValue("booking_id"), Reps: r.PostFormValue("tenderer_reps"),
		MaxServes: r.PostFormValue("max_serves"), ServesMonths: r.PostFormValue("serves_months"),
		MaxAge: r.PostFormValue("max_age"), Answer: r.PostFormValue("answer_minutes"),
		Complex: r.PostFormValue("complex") == "1", Named: r.PostFormValue("named"), Centres: map[string]bool{}}
	for _, c := range r.PostForm["centres"] {
		f.Centres[c] = true
	}
	lot, _ := strconv.ParseInt(strings.TrimSpace(f.Lot), 10, 64)
	booking := int64(atoiOr(f.Booking, 0))
	n := draw.NewRequest{LotID: lot, EvalStart: f.EvalStart, EvalEnd: f.EvalEnd, Venue: f.Venue, BookingID: booking,
		TendererReps: atoiOr(f.Reps, 0), Complex: f.Complex, MaxServes: atoiOr(f.MaxServes, 0),
		ServesMonths: atoiOr(f.ServesMonths, 0), MaxAge: atoiOr(f.MaxAge, 0), AnswerMinutes: atoiOr(f.Answer, 0)}
	for c := range f.Centres {
		n.Centres = append(n.Centres, c)
	}
	for i := range f.Quotas {
		q := &f.Quotas[i]
		k := strconv.Itoa(i)
		q.Specialty, q.Formal, q.Alternates = r.PostFormValue("specialty_"+k), r.PostFormValue("formal_"+k), r.PostFormValue("alternates_"+k)
		if strings.TrimSpace(q.Specialty) == "" {
			continue
		}
		n.Quotas = append(n.Quotas, draw.Quota{Specialty: q.Specialty, Formal: atoiOr(q.Formal, 0), Alternates: atoiOr(q.Alternates, 0)})
	}
	named, bad := parseNamed(f.Named)
	if bad != "" {
		return s.renderDrawNew(w, r, http.StatusUnprocessableEntity, f, map[string]string{"named": bad}, "输入有误："+bad)
	}
	n.Named = named
	d, err := s.Draw.Create(r.Context(), actorOf(r), n)
	if err != nil {
		if formFailure(err) {
			fields, msg := fieldErrors(err)
			return s.renderDrawNew(w, r, status(errs.CodeOf(err)), f, drawFieldNames(fields), msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/draws/"+strconv.FormatInt(d.ID, 10), "已提交抽取申请，请固定专家池")
	return nil
}

// drawFieldNames maps quotas[i].x to the form's x_i names.
func drawFieldNames(in map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range in {
		if rest, ok := strings.CutPrefix(k, "quotas["); ok {
			if i, name, ok := strings.Cut(rest, "]."); ok {
				k = name + "_" + i
			} else {
				k = "quotas"
			}
		}
		if strings.HasPrefix(k, "named[") {
			k = "named"
		}
		out[k] = v
	}
	return out
}

// parseNamed reads "专家编号 理由" lines.
func parseNamed(text string) ([]draw.NamedExclusion, string) {
	var out []draw.NamedExclusion
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		idText, reason, _ := strings.Cut(line, " ")
		id, err := strconv.ParseInt(strings.TrimSpace(idText), 10, 64)
		if err != nil || id <= 0 {
			return nil, "点名回避第 " + strconv.Itoa(i+1) + " 行应为“专家编号 回避理由”"
		}
		out = append(out, draw.NamedExclusion{ExpertID: id, Reason: strings.TrimSpace(reason)})
	}
	return out, ""
}

func (s *Server) drawPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderDraw(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderDraw(w http.ResponseWriter, r *http.Request, code int, report *draw.Report, msg string) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actorOf(r)
	d, err := s.Draw.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	staff := a.Role == auth.Staff && a.CentreID == d.CentreID
	s.renderStatus(w, r, code, "draw", map[string]any{"Title": "专家抽取 #" + strconv.FormatInt(d.ID, 10), "D": d,
		"Staff": staff, "Witness": auth.Can(a.Role, auth.WitnessDraw), "CanVerify": auth.Can(a.Role, auth.VerifyDraw),
		"CanPrint": auth.Can(a.Role, auth.PrintDrawList) && !d.WitnessedAt.IsZero(), "Report": report, "Error": msg,
		"Reasons": reasonLabels})
	return nil
}

// reasonLabels names the exclusion reason codes (expert.Reason).
var reasonLabels = map[string]string{"bidder": "投标单位", "tenderer": "招标单位", "supervisor": "主管部门",
	"agent": "招标代理", "other": "其他"}

// drawAction runs a POST on a draw and returns to its page with a flash,
// or renders the page with the reason the user can act on.
func (s *Server) drawAction(w http.ResponseWriter, r *http.Request, ok string, call func(id int64) error) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := call(id); err != nil {
		if formFailure(err) {
			_, msg := fieldErrors(err)
			return s.renderDraw(w, r, status(errs.CodeOf(err)), nil, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/draws/"+strconv.FormatInt(id, 10), ok)
	return nil
}

func (s *Server) drawCommit(w http.ResponseWriter, r *http.Request) error {
	return s.drawAction(w, r, "专家池已固定，种子承诺已记入审计日志；请监督人提交见证随机数", func(id int64) error {
		_, err := s.Draw.Commit(r.Context(), actorOf(r), id)
		return err
	})
}

func (s *Server) drawWitness(w http.ResponseWriter, r *http.Request) error {
	return s.drawAction(w, r, "已完成抽取，正在依次通知专家", func(id int64) error {
		_, err := s.Draw.Witness(r.Context(), actorOf(r), id, draw.Contribution{Value: r.PostFormValue("value")})
		return err
	})
}

func (s *Server) drawReplace(w http.ResponseWriter, r *http.Request) error {
	return s.drawAction(w, r, "已替换，正在依序通知下一位专家", func(id int64) error {
		call, err := pathID(r, "call")
		if err != nil {
			return err
		}
		_, err = s.Draw.Replace(r.Context(), actorOf(r), id, call, draw.Replacement{Reason: r.PostFormValue("reason")})
		return err
	})
}

func (s *Server) drawVerify(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rep, err := s.Draw.Verify(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.renderDraw(w, r, http.StatusOK, &rep, "")
}

// ---- the expert's invitations ----

func (s *Server) invitationsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	inv, err := s.Draw.Invitations(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	s.render(w, r, "invitations", map[string]any{"Title": "评标邀请", "Invitations": inv})
	return nil
}

func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderInvitation(w, r, http.StatusOK, "")
}

func (s *Server) renderInvitation(w http.ResponseWriter, r *http.Request, code int, msg string) error {
	inv, err := s.Draw.Invitation(r.Context(), actorOf(r), r.PathValue("token"))
	if err != nil {
		return err
	}
	s.renderStatus(w, r, code, "invitation", map[string]any{"Title": "评标邀请", "Inv": inv, "Error": msg})
	return nil
}

func (s *Server) invitationAnswer(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	token := r.PathValue("token")
	inv, err := s.Draw.Answer(r.Context(), actorOf(r), token, draw.Answer{Accept: r.PostFormValue("accept") == "1"})
	if err != nil {
		if errs.Is(err, errs.Conflict) {
			_, msg := fieldErrors(err)
			return s.renderInvitation(w, r, http.StatusConflict, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/invitations/"+token, "已答复："+inv.StateLabel)
	return nil
}
