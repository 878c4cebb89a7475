package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/notice"
)

// Pages of the notice area: the public notice page with its signature
// check, and the workbench — list and review queue, drafting form,
// attachments, legal checks (with the earliest lawful deadline for a late
// amendment), review, and the download records after the deadline.

// noticeForm is the drafting form as typed: times in Beijing wall-clock,
// amounts in 元.
type noticeForm struct {
	ProjectID                                          int64
	LotID                                              int64
	Kind                                               notice.Kind
	AmendsID                                           int64
	DocsFrom, DocsUntil, BidDeadline, StartsAt, EndsAt string
	Amount, AwardeeID, Invitees, Body                  string
	AffectsBids                                        bool
}

func formOf(n notice.Notice) noticeForm {
	f := noticeForm{ProjectID: n.ProjectID, LotID: n.LotID, Kind: n.Kind, AmendsID: n.AmendsID,
		DocsFrom: notice.LocalInput(n.DocsFrom), DocsUntil: notice.LocalInput(n.DocsUntil),
		BidDeadline: notice.LocalInput(n.BidDeadline), StartsAt: notice.LocalInput(n.StartsAt),
		EndsAt: notice.LocalInput(n.EndsAt), Body: n.Body, AffectsBids: n.AffectsBids}
	if n.Amount != 0 {
		f.Amount = n.Amount.Plain()
	}
	if n.AwardeeID != 0 {
		f.AwardeeID = strconv.FormatInt(n.AwardeeID, 10)
	}
	ids := make([]string, len(n.Invitees))
	for i, id := range n.Invitees {
		ids[i] = strconv.FormatInt(id, 10)
	}
	f.Invitees = strings.Join(ids, ",")
	return f
}

// readNoticeForm reads the posted form; fixed says whether project, kind
// and amended notice come from the form (a new notice) or not.
func readNoticeForm(r *http.Request, fixed bool) noticeForm {
	f := noticeForm{LotID: formInt(r, "lot_id"), DocsFrom: r.PostFormValue("docs_from"), DocsUntil: r.PostFormValue("docs_until"),
		BidDeadline: r.PostFormValue("bid_deadline"), StartsAt: r.PostFormValue("starts_at"), EndsAt: r.PostFormValue("ends_at"),
		Amount: r.PostFormValue("amount"), AwardeeID: r.PostFormValue("awardee_org_id"), Invitees: r.PostFormValue("invitees"),
		Body: r.PostFormValue("body"), AffectsBids: r.PostFormValue("affects_bids") != ""}
	if !fixed {
		f.ProjectID, f.Kind, f.AmendsID = formInt(r, "project_id"), notice.Kind(r.PostFormValue("kind")), formInt(r, "amends_id")
	}
	return f
}

func formInt(r *http.Request, name string) int64 {
	v := r.PostFormValue(name)
	if v == "" {
		v = r.URL.Query().Get(name)
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n
}

// input converts the typed form, reporting unreadable fields by name.
func (f noticeForm) input() (notice.Input, error) {
	in := notice.Input{ProjectID: f.ProjectID, LotID: f.LotID, Kind: f.Kind, AmendsID: f.AmendsID, Body: f.Body,
		AffectsBids: f.AffectsBids}
	var fe errs.Fields
	for _, t := range []struct {
		field, value string
		dst          *time.Time
	}{{"docs_from", f.DocsFrom, &in.DocsFrom}, {"docs_until", f.DocsUntil, &in.DocsUntil},
		{"bid_deadline", f.BidDeadline, &in.BidDeadline}, {"starts_at", f.StartsAt, &in.StartsAt}, {"ends_at", f.EndsAt, &in.EndsAt}} {
		v, ok := notice.ParseLocalTime(t.value)
		if !ok {
			fe.Add(t.field, "时间格式应为 2026-12-28 09:30（北京时间）")
			continue
		}
		*t.dst = v
	}
	if strings.TrimSpace(f.Amount) != "" {
		amt, err := money.ParseYuan(f.Amount)
		if err != nil {
			fe.Add("amount", "%s", errs.As(err).Message)
		}
		in.Amount = amt
	}
	if v := strings.TrimSpace(f.AwardeeID); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fe.Add("awardee_org_id", "请填写中标（成交）人的单位编号")
		}
		in.AwardeeID = id
	}
	for _, v := range strings.FieldsFunc(f.Invitees, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fe.Add("invitees", "受邀投标人请填写单位编号，以逗号分隔")
			break
		}
		in.Invitees = append(in.Invitees, id)
	}
	return in, fe.Err()
}

func (s *Server) noticeListPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	q := r.URL.Query()
	offset, err := queryInt(r, "offset", 0, 0, 1<<30)
	if err != nil {
		return err
	}
	project, err := queryInt(r, "project", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	f := notice.Filter{State: notice.State(q.Get("state")), Kind: notice.Kind(q.Get("kind")), ProjectID: int64(project),
		Limit: 50, Offset: offset}
	items, total, err := s.Notice.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	next := -1
	if offset+len(items) < total {
		next = offset + 50
	}
	s.render(w, r, "notice_list", map[string]any{"Title": "公告公示", "Notices": items, "Total": total, "Filter": f,
		"Next": next, "States": []notice.State{notice.Draft, notice.Review, notice.Scheduled, notice.Published, notice.Rejected},
		"Kinds": notice.Kinds})
	return nil
}

// noticeNewPage is the drafting form; with ?amends=ID it drafts an
// amendment of that published notice.
func (s *Server) noticeNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	if err := actorOf(r).Authorize(auth.DraftNotice); err != nil {
		return err
	}
	form := noticeForm{ProjectID: formInt(r, "project"), Kind: notice.Kind(r.URL.Query().Get("kind")), AmendsID: formInt(r, "amends")}
	if form.AmendsID != 0 {
		orig, err := s.Notice.Get(r.Context(), actorOf(r), form.AmendsID)
		if err != nil {
			return err
		}
		form.ProjectID, form.Kind, form.LotID = orig.ProjectID, notice.KindAmendment, orig.LotID
		form.AffectsBids = true
	}
	if form.Kind == "" {
		form.Kind = notice.KindTender
	}
	return s.renderNoticeNew(w, r, http.StatusOK, form, nil, "")
}

func (s *Server) renderNoticeNew(w http.ResponseWriter, r *http.Request, code int, form noticeForm, fields map[string]string, msg string) error {
	if fields == nil {
		fields = map[string]string{}
	}
	data := map[string]any{"Title": "起草公告", "New": true, "Form": form, "Fields": fields, "Error": msg, "Kinds": notice.Kinds}
	if form.ProjectID != 0 {
		p, err := s.Notice.Project(r.Context(), actorOf(r), form.ProjectID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		if err == nil {
			data["Project"] = p
		} else if fields["project_id"] == "" {
			fields["project_id"] = "项目不存在，或您不能为该项目起草公告"
		}
	}
	if form.AmendsID != 0 {
		if orig, err := s.Notice.Get(r.Context(), actorOf(r), form.AmendsID); err == nil {
			data["Original"] = orig
		}
	}
	s.renderStatus(w, r, code, "notice_work", data)
	return nil
}

func (s *Server) noticeCreateSubmit(w http.ResponseWriter, r *http.Request) error {
	form := readNoticeForm(r, false)
	in, err := form.input()
	var n notice.Notice
	if err == nil {
		n, err = s.Notice.Draft(r.Context(), actorOf(r), in)
	}
	if err != nil {
		if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Conflict {
			return err
		}
		fields, msg := fieldErrors(err)
		return s.renderNoticeNew(w, r, status(errs.CodeOf(err)), form, fields, msg)
	}
	redirectFlash(w, r, noticeWorkPath(n.ID), "已生成公告草稿，请核对正文后提交审核")
	return nil
}

func noticeWorkPath(id int64) string { return "/workbench/notices/" + strconv.FormatInt(id, 10) }

func (s *Server) noticeWorkPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderNoticeWork(w, r, http.StatusOK, nil, nil, "")
}

// renderNoticeWork shows a notice to those who work on it: the detail,
// the edit form while it is a draft, the legal checks, the review form,
// and what can follow publication.
func (s *Server) renderNoticeWork(w http.ResponseWriter, r *http.Request, code int, form *noticeForm, fields map[string]string, msg string) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	n, err := s.Notice.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if fields == nil {
		fields = map[string]string{}
	}
	data := map[string]any{"Title": n.Title, "N": n, "Fields": fields, "Error": msg, "BodyLines": strings.Split(n.Body, "\n")}
	if n.State == notice.Published {
		v, err := s.Notice.Verify(r.Context(), a, id)
		if err != nil {
			return err
		}
		data["Verify"] = v
		data["CanAmend"] = n.Kind == notice.KindTender || n.Kind == notice.KindPrequal || n.Kind == notice.KindListing
	} else {
		rep, err := s.Notice.Check(r.Context(), a, id, n.PublishAt)
		if err != nil && errs.CodeOf(err) != errs.Invalid {
			return err
		}
		if err != nil {
			data["CheckError"] = errs.As(err).Message
		} else {
			data["Check"], data["SuggestedLocal"] = rep, notice.LocalInput(rep.SuggestedBidDeadline)
		}
	}
	if (n.State == notice.Draft || n.State == notice.Rejected) && auth.Can(a.Role, auth.DraftNotice) {
		if p, err := s.Notice.Project(r.Context(), a, n.ProjectID); err == nil {
			f := formOf(n)
			if form != nil {
				f = *form
			}
			data["Editable"], data["Project"], data["Form"] = true, p, f
		}
	}
	data["CanReview"] = n.State == notice.Review && auth.Can(a.Role, auth.ReviewNotice)
	data["Kind"] = n.Kind
	s.renderStatus(w, r, code, "notice_work", data)
	return nil
}

// noticeRetry re-renders the work page for invalid input or a refused
// rule, conflict; other errors become the error page.
func (s *Server) noticeRetry(w http.ResponseWriter, r *http.Request, form *noticeForm, err error) error {
	if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Conflict && c != errs.Rule {
		return err
	}
	fields, msg := fieldErrors(err)
	return s.renderNoticeWork(w, r, status(errs.CodeOf(err)), form, fields, msg)
}

func (s *Server) noticeEditSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	form := readNoticeForm(r, true)
	in, err := form.input()
	if err == nil {
		_, err = s.Notice.Update(r.Context(), actorOf(r), id, in)
	}
	if err != nil {
		return s.noticeRetry(w, r, &form, err)
	}
	redirectFlash(w, r, noticeWorkPath(id), "已保存")
	return nil
}

func (s *Server) noticeSubmitSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	if _, err := s.Notice.Submit(r.Context(), actorOf(r), id); err != nil {
		return s.noticeRetry(w, r, nil, err)
	}
	redirectFlash(w, r, noticeWorkPath(id), "已提交交易中心审核")
	return nil
}

func (s *Server) noticeDecisionSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	d := notice.Decision{Approve: r.PostFormValue("approve") == "1", Note: r.PostFormValue("note")}
	at, ok := notice.ParseLocalTime(r.PostFormValue("publish_at"))
	if !ok {
		var f errs.Fields
		f.Add("publish_at", "时间格式应为 2026-12-28 09:30（北京时间）")
		return s.noticeRetry(w, r, nil, f.Err())
	}
	d.PublishAt = at
	n, err := s.Notice.Decide(r.Context(), actorOf(r), id, d)
	if err != nil {
		return s.noticeRetry(w, r, nil, err)
	}
	redirectFlash(w, r, noticeWorkPath(id), "审核完成："+n.State.Label())
	return nil
}

func (s *Server) noticeAttachSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	att, err := s.streamNoticeUpload(w, r, id)
	if err != nil {
		return s.noticeRetry(w, r, nil, err)
	}
	redirectFlash(w, r, noticeWorkPath(id), "已上传 "+att.Name)
	return nil
}

func (s *Server) noticeDetachSubmit(w http.ResponseWriter, r *http.Request) error {
	id, file, err := noticeFileIDs(r)
	if err != nil {
		return err
	}
	if err := s.Notice.RemoveAttachment(r.Context(), actorOf(r), id, file); err != nil {
		return s.noticeRetry(w, r, nil, err)
	}
	redirectFlash(w, r, noticeWorkPath(id), "已删除附件")
	return nil
}

func (s *Server) noticeDownloadsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	n, err := s.Notice.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	data := map[string]any{"Title": "招标文件下载记录", "N": n}
	lots, err := s.Notice.Downloads(r.Context(), a, id)
	switch {
	case errs.Is(err, errs.Rule):
		// Before the deadline the page says so, and shows nothing else (B3).
		data["Sealed"] = errs.As(err).Message
	case err != nil:
		return err
	default:
		data["Lots"] = lots
	}
	s.render(w, r, "notice_downloads", data)
	return nil
}

// noticePublicPage is a notice as the public sees it, with its
// attachments and whether its platform signature checks out.
func (s *Server) noticePublicPage(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	n, err := s.Notice.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if n.State != notice.Published {
		// Drafts are worked on in the workbench, not shown as public.
		http.Redirect(w, r, noticeWorkPath(id), http.StatusSeeOther)
		return nil
	}
	v, err := s.Notice.Verify(r.Context(), a, id)
	if err != nil {
		return err
	}
	// The portal adds the project's other published notices.
	d, err := s.Portal.Notice(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, "notice", map[string]any{"Title": n.Title, "N": n, "Verify": v, "BodyLines": strings.Split(n.Body, "\n"),
		"IsBidder": auth.Can(a.Role, auth.DownloadDocs), "Related": d.Related})
	return nil
}
