package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// Pages of project registration and intake. Amounts are typed in 万元
// (estimated and maximum prices) and 元 (deposits) and read with
// money.ParseWan / ParseYuan; the API takes fen.

func projectID(r *http.Request) (int64, error) { return pathID(r, "project") }

func (s *Server) projectsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	offset, err := queryInt(r, "offset", 0, 0, 1<<30)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := tender.Filter{State: tender.State(q.Get("state")), TradeKind: tender.TradeKind(q.Get("trade_kind")),
		Query: q.Get("q"), Limit: 50, Offset: offset}
	items, total, err := s.Tender.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	next := -1
	if offset+len(items) < total {
		next = offset + 50
	}
	s.render(w, r, "projects", map[string]any{"Title": "交易项目", "Items": items, "Total": total, "Filter": f,
		"Next": next, "States": tender.States, "Kinds": tender.TradeKinds, "Now": s.Clock.Now()})
	return nil
}

func (s *Server) intakePage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	offset, err := queryInt(r, "offset", 0, 0, 1<<30)
	if err != nil {
		return err
	}
	overdue, err := tenderQueryBool(r, "overdue")
	if err != nil {
		return err
	}
	a := actorOf(r)
	items, total, err := s.Tender.Queue(r.Context(), a, tender.QueueFilter{OverdueOnly: overdue, Limit: 50, Offset: offset})
	if err != nil {
		return err
	}
	next := -1
	if offset+len(items) < total {
		next = offset + 50
	}
	title := "项目受理队列"
	if overdue {
		title = "超期未受理项目"
	}
	s.render(w, r, "intake", map[string]any{"Title": title, "Items": items, "Total": total, "Overdue": overdue,
		"Next": next, "CanDecide": auth.Can(a.Role, auth.DecideIntake)})
	return nil
}

// projectForm is the registration form as typed.
type projectForm struct {
	ID                                       int64
	Code                                     string
	Name, TradeKind, Industry, RegionCode    string
	Procedure, ApprovalRef, Estimated        string
	TendererCredit, AgentCredit, GreenReason string
	TendererName, AgentName                  string
	StateFunded, Green                       bool
	Lots                                     []projectLotForm
}

type projectLotForm struct{ Name, Estimated, Max, Deposit, Method string }

const blankLotRows = 2

// projectWan writes fen as 万元 exactly (万元 has six decimals down to the
// fen), without trailing zeros, so editing a saved project loses nothing.
func projectWan(f money.Fen) string {
	if f == 0 {
		return ""
	}
	s := strconv.FormatInt(int64(f), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for len(s) <= 6 {
		s = "0" + s
	}
	out := s[:len(s)-6]
	if frac := strings.TrimRight(s[len(s)-6:], "0"); frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func projectYuan(f money.Fen) string {
	if f == 0 {
		return ""
	}
	return f.Plain()
}

func projectFormOf(e tender.Entry) projectForm {
	f := projectForm{ID: e.ID, Code: e.Code, Name: e.Name, TradeKind: string(e.TradeKind), Industry: e.Industry,
		RegionCode: e.RegionCode, Procedure: string(e.Procedure), ApprovalRef: e.ApprovalRef,
		Estimated: projectWan(e.EstimatedPrice), GreenReason: e.GreenReason, StateFunded: e.StateFunded,
		Green: e.GreenChannel, TendererName: e.TendererName, AgentName: e.AgentName}
	for _, l := range e.Lots {
		f.Lots = append(f.Lots, projectLotForm{Name: l.Name, Estimated: projectWan(l.EstimatedPrice), Max: projectWan(l.MaxPrice),
			Deposit: projectYuan(l.Deposit), Method: string(l.EvalMethod)})
	}
	return f
}

// readProjectForm reads the posted form into the form state and the
// service input; amount fields that do not parse are reported by name.
func readProjectForm(r *http.Request) (projectForm, tender.ProjectInput, errs.Fields) {
	var bad errs.Fields
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := projectForm{Name: v("name"), TradeKind: v("trade_kind"), Industry: v("industry"), RegionCode: v("region_code"),
		Procedure: v("procedure"), ApprovalRef: v("approval_ref"), Estimated: v("estimated_price"),
		TendererCredit: v("tenderer_credit_code"), AgentCredit: v("agent_credit_code"), GreenReason: v("green_reason"),
		StateFunded: r.PostFormValue("state_funded") == "1", Green: r.PostFormValue("green_channel") == "1"}
	in := tender.ProjectInput{Name: f.Name, TradeKind: tender.TradeKind(f.TradeKind), Industry: f.Industry,
		RegionCode: f.RegionCode, Procedure: tender.Procedure(f.Procedure), StateFunded: f.StateFunded,
		ApprovalRef: f.ApprovalRef, TendererCreditCode: f.TendererCredit, AgentCreditCode: f.AgentCredit,
		GreenChannel: f.Green, GreenReason: f.GreenReason}
	amount := func(field, label, s string, parse func(string) (money.Fen, error)) money.Fen {
		if s == "" {
			return 0
		}
		a, err := parse(s)
		if err != nil {
			bad.Add(field, "%s：%s", label, errs.As(err).Message)
		}
		return a
	}
	in.EstimatedPrice = amount("estimated_price", "项目估算价", f.Estimated, money.ParseWan)
	at := func(xs []string, i int) string {
		if i < len(xs) {
			return strings.TrimSpace(xs[i])
		}
		return ""
	}
	pf := r.PostForm
	for i := range pf["lot_name"] {
		l := projectLotForm{Name: at(pf["lot_name"], i), Estimated: at(pf["lot_estimated"], i), Max: at(pf["lot_max"], i),
			Deposit: at(pf["lot_deposit"], i), Method: at(pf["lot_method"], i)}
		if l.Name == "" && l.Estimated == "" && l.Max == "" && l.Deposit == "" {
			continue // a blank row
		}
		n := len(f.Lots)
		field := fmt.Sprintf("lots[%d]", n)
		label := fmt.Sprintf("第%d标段（包）", n+1)
		f.Lots = append(f.Lots, l)
		in.Lots = append(in.Lots, tender.LotInput{Name: l.Name,
			EstimatedPrice: amount(field+".estimated_price", label+"估算价", l.Estimated, money.ParseWan),
			MaxPrice:       amount(field+".max_price", label+"最高限价", l.Max, money.ParseWan),
			Deposit:        amount(field+".deposit", label+"保证金", l.Deposit, money.ParseYuan),
			EvalMethod:     tender.EvalMethod(l.Method)})
	}
	return f, in, bad
}

// projectIndustry is one option of the industry select.
type projectIndustry struct{ Code, Label string }

var projectIndustryOrder = []auth.Industry{"housing", "transport", "water", "environment", "development", "finance", "land", "assets"}

func (s *Server) renderProjectForm(w http.ResponseWriter, r *http.Request, code int, f projectForm, fields map[string]string, msg string) error {
	cs, err := s.Auth.ListCentres(r.Context())
	if err != nil {
		return err
	}
	blank := blankLotRows
	if len(f.Lots) == 0 {
		blank++
	}
	for i := 0; i < blank; i++ {
		f.Lots = append(f.Lots, projectLotForm{})
	}
	var inds []projectIndustry
	for _, i := range projectIndustryOrder {
		inds = append(inds, projectIndustry{string(i), auth.Industries[i]})
	}
	methods := []tender.EvalMethod{tender.LowestPrice, tender.Comprehensive, tender.HighestPrice}
	procs := []tender.Procedure{tender.Open, tender.Invited, tender.Negotiation, tender.Consultation, tender.Inquiry,
		tender.SingleSource, tender.Listing, tender.Auction}
	title := "登记项目"
	if f.ID != 0 {
		title = "修改项目 " + f.Code
	}
	s.renderStatus(w, r, code, "project_form", map[string]any{"Title": title, "Form": f, "Fields": fields, "Error": msg,
		"Centres": cs, "Kinds": tender.TradeKinds, "Industries": inds, "Procedures": procs, "Methods": methods,
		"IsAgent": actorOf(r).Role == auth.Agent})
	return nil
}

func (s *Server) projectNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	a := actorOf(r)
	if err := a.Authorize(auth.CreateProject); err != nil {
		return err
	}
	return s.renderProjectForm(w, r, http.StatusOK, projectForm{TradeKind: string(tender.Construction), RegionCode: a.Region,
		Procedure: string(tender.Open)}, nil, "")
}

func (s *Server) projectCreateSubmit(w http.ResponseWriter, r *http.Request) error {
	f, in, bad := readProjectForm(r)
	err := bad.Err()
	if err == nil {
		var p tender.Project
		if p, err = s.Tender.Register(r.Context(), actorOf(r), in); err == nil {
			redirectFlash(w, r, "/workbench/projects/"+strconv.FormatInt(p.ID, 10), "项目已登记为草稿，编号 "+p.Code+"，请上传申请材料后提交")
			return nil
		}
	}
	return s.projectFormFailed(w, r, f, err)
}

func (s *Server) projectEditPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	id, err := projectID(r)
	if err != nil {
		return err
	}
	e, err := s.Tender.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if !tender.Owns(actorOf(r), e.Project) || !e.Editable() {
		return errs.E(errs.Conflict, "只有本单位草稿或已退回的项目可以修改")
	}
	return s.renderProjectForm(w, r, http.StatusOK, projectFormOf(e), nil, "")
}

func (s *Server) projectEditSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	f, in, bad := readProjectForm(r)
	f.ID = id
	err = bad.Err()
	if err == nil {
		var p tender.Project
		if p, err = s.Tender.Update(r.Context(), actorOf(r), id, in); err == nil {
			redirectFlash(w, r, "/workbench/projects/"+strconv.FormatInt(p.ID, 10), "已保存")
			return nil
		}
	}
	if e, gerr := s.Tender.Get(r.Context(), actorOf(r), id); gerr == nil {
		f.Code, f.TendererName, f.AgentName = e.Code, e.TendererName, e.AgentName
	}
	return s.projectFormFailed(w, r, f, err)
}

func (s *Server) projectFormFailed(w http.ResponseWriter, r *http.Request, f projectForm, err error) error {
	if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Conflict {
		return err
	}
	fields, msg := fieldErrors(err)
	return s.renderProjectForm(w, r, status(errs.CodeOf(err)), f, fields, msg)
}

func (s *Server) projectPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderProject(w, r, http.StatusOK, "")
}

// renderProject shows a project with its lots, the materials checklist and
// the actions the actor may take.
func (s *Server) renderProject(w http.ResponseWriter, r *http.Request, code int, msg string) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	e, err := s.Tender.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	c, err := s.Tender.Checklist(r.Context(), a, id)
	if err != nil {
		return err
	}
	canArchive, archiveBlocked, err := s.Tender.Archivable(r.Context(), a, e.Project)
	if err != nil {
		return err
	}
	s.renderStatus(w, r, code, "project", map[string]any{"Title": e.Code + " " + e.Name, "P": e, "Checklist": c,
		"CanArchive": canArchive, "ArchiveBlocked": archiveBlocked,
		"Rows":      materialRows(c),
		"CanEdit":   tender.Owns(a, e.Project) && e.Editable(),
		"CanDecide": e.State == tender.Submitted && tender.Oversees(a, e.Project) && auth.Can(a.Role, auth.DecideIntake),
		"Error":     msg, "MaxMB": s.Tender.MaxMaterialBytes >> 20})
	return nil
}

// materialRow is one line of the materials table: a guide material, or the
// last line for other supporting files.
type materialRow struct {
	Name, Note      string
	Required, Other bool
	MaterialID      int64
	Files           []tender.ProjectMaterial
}

func materialRows(c tender.Checklist) []materialRow {
	var rows []materialRow
	for _, it := range c.Items {
		rows = append(rows, materialRow{Name: it.Material.Name, Note: it.Material.Note, Required: it.Material.Required,
			MaterialID: it.Material.ID, Files: it.Files})
	}
	return append(rows, materialRow{Name: "其他材料", Note: "指南未列出的补充材料", Other: true, Files: c.Other})
}

// projectActionFailed shows the project again with the message of a
// refused step (missing materials, a state that moved on); anything else
// is the error page.
func (s *Server) projectActionFailed(w http.ResponseWriter, r *http.Request, err error) error {
	c := errs.CodeOf(err)
	if c != errs.Invalid && c != errs.Conflict {
		return err
	}
	return s.renderProject(w, r, status(c), errs.As(err).Message)
}

func (s *Server) projectDone(w http.ResponseWriter, r *http.Request, id int64, msg string) {
	redirectFlash(w, r, "/workbench/projects/"+strconv.FormatInt(id, 10), msg)
}

// projectUploadSubmit takes the upload form. Its CSRF token travels in the
// action URL (see identify), so the body is not parsed before it gets here
// and the file streams into storage like an API upload; the form puts
// material_id before the file.
func (s *Server) projectUploadSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	if _, err := s.streamUpload(w, r, id, 0); err != nil {
		return s.projectActionFailed(w, r, err)
	}
	s.projectDone(w, r, id, "文件已上传")
	return nil
}

func (s *Server) projectMaterialDownload(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.serveMaterial(w, r)
}

func (s *Server) projectMaterialDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	fileID, err := pathID(r, "file")
	if err != nil {
		return err
	}
	if err := s.Tender.RemoveMaterial(r.Context(), actorOf(r), id, fileID); err != nil {
		return s.projectActionFailed(w, r, err)
	}
	s.projectDone(w, r, id, "文件已删除")
	return nil
}

func (s *Server) projectSubmitSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	p, err := s.Tender.Submit(r.Context(), actorOf(r), id)
	if err != nil {
		return s.projectActionFailed(w, r, err)
	}
	s.projectDone(w, r, id, "已提交进场登记，交易中心应于 "+p.DueText()+" 前办结")
	return nil
}

func (s *Server) projectWithdrawSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	if _, err := s.Tender.Withdraw(r.Context(), actorOf(r), id, r.PostFormValue("reason")); err != nil {
		return s.projectActionFailed(w, r, err)
	}
	s.projectDone(w, r, id, "项目已撤回")
	return nil
}

func (s *Server) projectDecisionSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	d := tender.Decision{Accept: r.PostFormValue("accept") == "1", Reason: r.PostFormValue("reason")}
	p, err := s.Tender.Decide(r.Context(), actorOf(r), id, d)
	if err != nil {
		return s.projectActionFailed(w, r, err)
	}
	s.projectDone(w, r, id, p.Code+"："+p.State.Label())
	return nil
}

func (s *Server) projectArchiveSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	p, err := s.Tender.Archive(r.Context(), actorOf(r), id, tender.ArchiveInput{Note: r.PostFormValue("note")})
	if err != nil {
		return s.projectActionFailed(w, r, err)
	}
	s.projectDone(w, r, id, p.Code+"：已归档")
	return nil
}
