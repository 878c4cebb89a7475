package web

import (
	"net/http"
	"strconv"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
)

// Pages of the expert library: the list with filters, import and export;
// the form for a new expert; an expert's page with edit, status, leave and
// penalty forms, history and ratings; the expert's own portal; and the
// ratings page of tenderers, agents and supervisors. The services
// authorize; forms re-render with field reasons on invalid input.

// expertForm is what a manager typed, kept as text to re-render.
type expertForm struct {
	expert.Input
	SpecialtiesText string
	JobsText        string
	RelationsText   string
}

func expertFormOf(e expert.Expert) expertForm {
	f := expertForm{Input: expert.Input{Name: e.Name, Email: e.Email, Username: e.Username, EmployerName: e.EmployerName,
		EmployerCode: e.EmployerCode, CentreCode: e.CentreCode, Title: e.Title, Years: e.Years, Dishonest: e.Dishonest,
		DishonestNote: e.DishonestNote}}
	var codes, jobs, rels []string
	for _, s := range e.Specialties {
		codes = append(codes, s.Code)
	}
	for _, j := range e.PastEmployers {
		jobs = append(jobs, strings.Join([]string{j.OrgName, j.CreditCode, j.From, j.To}, "|"))
	}
	for _, r := range e.Relations {
		rels = append(rels, strings.Join([]string{r.CreditCode, r.Kind.Label(), r.OrgName, r.Note}, "|"))
	}
	f.SpecialtiesText, f.JobsText, f.RelationsText = strings.Join(codes, " "), strings.Join(jobs, "\n"), strings.Join(rels, "\n")
	return f
}

// readExpertForm parses the expert form; a line of the lists that does not
// split into its parts is reported like any bad field.
func readExpertForm(r *http.Request) (expertForm, map[string]string) {
	f := expertForm{SpecialtiesText: r.PostFormValue("specialties"), JobsText: r.PostFormValue("past_employers"),
		RelationsText: r.PostFormValue("relations")}
	years, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("years")))
	f.Input = expert.Input{Name: r.PostFormValue("name"), IDNumber: r.PostFormValue("id_number"), Phone: r.PostFormValue("phone"),
		Email: r.PostFormValue("email"), Username: r.PostFormValue("username"), EmployerName: r.PostFormValue("employer_name"),
		EmployerCode: r.PostFormValue("employer_code"), CentreCode: r.PostFormValue("centre_code"), Title: r.PostFormValue("title"),
		Years: years, BirthDate: r.PostFormValue("birth_date"), Dishonest: r.PostFormValue("dishonest") == "1",
		DishonestNote: r.PostFormValue("dishonest_note")}
	f.Specialties = strings.FieldsFunc(f.SpecialtiesText, func(c rune) bool {
		return c == ' ' || c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || c == '\n' || c == '\r' || c == '\t'
	})
	bad := map[string]string{}
	for i, line := range formLines(f.JobsText) {
		p := splitBar(line)
		if len(p) != 4 {
			bad["past_employers"] = "第" + strconv.Itoa(i+1) + "行应为“单位名称|统一社会信用代码|起始日期|结束日期”"
			continue
		}
		f.PastEmployers = append(f.PastEmployers, expert.Employment{OrgName: p[0], CreditCode: p[1], From: p[2], To: p[3]})
	}
	for i, line := range formLines(f.RelationsText) {
		p := splitBar(line)
		if len(p) < 2 || len(p) > 4 || expert.RelationKindOf(p[1]) == "" {
			bad["relations"] = "第" + strconv.Itoa(i+1) + "行应为“统一社会信用代码|类型|单位名称|说明”，类型为近亲属任职、持股、董事监事或其他利害关系"
			continue
		}
		rel := expert.Relation{CreditCode: p[0], Kind: expert.RelationKindOf(p[1])}
		if len(p) > 2 {
			rel.OrgName = p[2]
		}
		if len(p) > 3 {
			rel.Note = p[3]
		}
		f.Relations = append(f.Relations, rel)
	}
	return f, bad
}

func formLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func splitBar(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == '｜' })
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// manageableCentres are the centres whose experts a may manage.
func (s *Server) manageableCentres(r *http.Request) ([]centre.Centre, []centre.Centre, error) {
	cs, err := s.Auth.ListCentres(r.Context())
	if err != nil {
		return nil, nil, err
	}
	var out []centre.Centre
	for _, c := range cs {
		if expert.Manages(actorOf(r), c.ID) {
			out = append(out, c)
		}
	}
	return cs, out, nil
}

func (s *Server) expertsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	f := expertFilter(r)
	var err error
	if f.Limit, f.Offset, err = paging(r); err != nil {
		return err
	}
	items, total, err := s.Expert.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	cs, manageable, err := s.manageableCentres(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Del("offset")
	var next, prev string
	if f.Offset+f.Limit < total {
		q.Set("offset", strconv.Itoa(f.Offset+f.Limit))
		next = "?" + q.Encode()
	}
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(max(0, f.Offset-f.Limit)))
		prev = "?" + q.Encode()
	}
	q.Del("offset")
	s.render(w, r, "expert_list", map[string]any{"Title": "综合评标专家库", "Experts": items, "Total": total, "Filter": f,
		"Centres": cs, "Manageable": manageable, "Statuses": []expert.Status{expert.Active, expert.Suspended, expert.Retired},
		"Next": next, "Prev": prev, "Query": q.Encode(), "CanExport": auth.Can(actorOf(r).Role, auth.ExportExperts)})
	return nil
}

func (s *Server) expertNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	if err := actorOf(r).Authorize(auth.ManageExperts); err != nil {
		return err
	}
	return s.renderExpertForm(w, r, http.StatusOK, expertForm{Input: expert.Input{Years: 10}}, nil, "", nil)
}

// renderExpertForm shows the form for a new expert, or for editing e.
func (s *Server) renderExpertForm(w http.ResponseWriter, r *http.Request, code int, form expertForm, fields map[string]string, msg string, e *expert.Expert) error {
	_, manageable, err := s.manageableCentres(r)
	if err != nil {
		return err
	}
	title, action := "新增评标专家", "/workbench/experts"
	if e != nil {
		title, action = "修改专家信息："+e.Name, "/workbench/experts/"+strconv.FormatInt(e.ID, 10)
	}
	s.renderStatus(w, r, code, "expert_form", map[string]any{"Title": title, "Form": form, "Centres": manageable,
		"Fields": fields, "Error": msg, "Expert": e, "Action": action})
	return nil
}

func (s *Server) expertEditPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actorOf(r)
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return err
	}
	e, err := s.Expert.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if !expert.Manages(a, e.CentreID) {
		return errs.E(errs.Forbidden, "只能管理本交易中心的专家")
	}
	return s.renderExpertForm(w, r, http.StatusOK, expertFormOf(e), nil, "", &e)
}

func (s *Server) expertCreate(w http.ResponseWriter, r *http.Request) error {
	form, bad := readExpertForm(r)
	if len(bad) > 0 {
		return s.renderExpertForm(w, r, http.StatusUnprocessableEntity, form, bad, "输入有误，请按提示修改", nil)
	}
	e, err := s.Expert.Create(r.Context(), actorOf(r), form.Input)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			return s.renderExpertForm(w, r, status(c), form, fields, msg, nil)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/experts/"+strconv.FormatInt(e.ID, 10), "已新增专家："+e.Name)
	return nil
}

func (s *Server) expertPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderExpert(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderExpert(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actorOf(r)
	e, err := s.Expert.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	history, err := s.Expert.History(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.renderStatus(w, r, code, "expert", map[string]any{"Title": e.Name, "Expert": e, "History": history,
		"Manages": expert.Manages(a, e.CentreID), "Fields": fields, "Error": msg})
	return nil
}

// expertAction runs a change from the expert page and comes back to it,
// re-rendering with the reasons when the input was refused.
func (s *Server) expertAction(w http.ResponseWriter, r *http.Request, done string, call func(id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := call(id); err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			return s.renderExpert(w, r, status(c), fields, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/experts/"+strconv.FormatInt(id, 10), done)
	return nil
}

func (s *Server) expertUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actorOf(r)
	form, bad := readExpertForm(r)
	failed := func(code int, fields map[string]string, msg string) error {
		e, err := s.Expert.Get(r.Context(), a, id)
		if err != nil {
			return err
		}
		return s.renderExpertForm(w, r, code, form, fields, msg, &e)
	}
	if len(bad) > 0 {
		return failed(http.StatusUnprocessableEntity, bad, "输入有误，请按提示修改")
	}
	if _, err := s.Expert.Update(r.Context(), a, id, form.Input); err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			return failed(status(c), fields, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/experts/"+strconv.FormatInt(id, 10), "已保存")
	return nil
}

func (s *Server) expertSuspend(w http.ResponseWriter, r *http.Request) error {
	return s.expertAction(w, r, "已暂停该专家的评标资格", func(id int64) error {
		_, err := s.Expert.Suspend(r.Context(), actorOf(r), id, expert.Suspension{Reason: r.PostFormValue("reason"),
			From: r.PostFormValue("from"), Until: r.PostFormValue("until")})
		return err
	})
}

func (s *Server) expertReinstate(w http.ResponseWriter, r *http.Request) error {
	return s.expertAction(w, r, "已恢复该专家的评标资格", func(id int64) error {
		_, err := s.Expert.Reinstate(r.Context(), actorOf(r), id)
		return err
	})
}

func (s *Server) expertRetire(w http.ResponseWriter, r *http.Request) error {
	return s.expertAction(w, r, "该专家已退出专家库", func(id int64) error {
		_, err := s.Expert.Retire(r.Context(), actorOf(r), id, expert.Retirement{Reason: r.PostFormValue("reason")})
		return err
	})
}

func leaveForm(r *http.Request) expert.LeaveInput {
	return expert.LeaveInput{From: r.PostFormValue("from"), To: r.PostFormValue("to"), Reason: r.PostFormValue("reason")}
}

func (s *Server) expertAddLeave(w http.ResponseWriter, r *http.Request) error {
	return s.expertAction(w, r, "已登记请假", func(id int64) error {
		_, err := s.Expert.AddLeave(r.Context(), actorOf(r), id, leaveForm(r))
		return err
	})
}

func (s *Server) expertRemoveLeave(w http.ResponseWriter, r *http.Request) error {
	leave, err := pathID(r, "leave")
	if err != nil {
		return err
	}
	return s.expertAction(w, r, "已撤销请假", func(id int64) error {
		return s.Expert.RemoveLeave(r.Context(), actorOf(r), id, leave)
	})
}

func (s *Server) expertAddPenalty(w http.ResponseWriter, r *http.Request) error {
	return s.expertAction(w, r, "已记录处罚", func(id int64) error {
		_, err := s.Expert.AddPenalty(r.Context(), actorOf(r), id, expert.PenaltyInput{Date: r.PostFormValue("date"),
			Text: r.PostFormValue("text"), BarredUntil: r.PostFormValue("barred_until")})
		return err
	})
}

// expertImport takes the upload of the list page's import form and shows
// the report.
func (s *Server) expertImport(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return err
	}
	format, data, err := importUpload(w, r)
	var rep expert.ImportReport
	if err == nil {
		rep, err = s.Expert.Import(r.Context(), a, format, data)
	}
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		_, msg := fieldErrors(err)
		if e := errs.As(err); len(e.Fields) > 0 {
			msg = e.Fields[0].Message
		}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "expert_import", map[string]any{"Title": "专家导入结果", "Error": msg})
		return nil
	}
	s.render(w, r, "expert_import", map[string]any{"Title": "专家导入结果", "Report": rep})
	return nil
}

func (s *Server) expertExport(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.exportFile(w, r)
}

func (s *Server) specialtiesPage(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Authorize(auth.ReadSpecialties); err != nil {
		return err
	}
	s.render(w, r, "expert_specialties", map[string]any{"Title": "评标专家专业分类", "Specialties": expert.Specialties().All()})
	return nil
}

func (s *Server) myExpertPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderMyExpert(w, r, http.StatusOK, expert.LeaveInput{}, nil, "")
}

func (s *Server) renderMyExpert(w http.ResponseWriter, r *http.Request, code int, form expert.LeaveInput, fields map[string]string, msg string) error {
	p, err := s.Expert.Mine(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	s.renderStatus(w, r, code, "expert_portal", map[string]any{"Title": "专家个人中心", "Portal": p, "Form": form,
		"Fields": fields, "Error": msg})
	return nil
}

func (s *Server) myLeaveAdd(w http.ResponseWriter, r *http.Request) error {
	in := leaveForm(r)
	if _, err := s.Expert.AddMyLeave(r.Context(), actorOf(r), in); err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			return s.renderMyExpert(w, r, status(c), in, fields, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/my-expert", "已登记请假：请假期间不会被抽取")
	return nil
}

func (s *Server) myLeaveRemove(w http.ResponseWriter, r *http.Request) error {
	leave, err := pathID(r, "leave")
	if err != nil {
		return err
	}
	if err := s.Expert.RemoveMyLeave(r.Context(), actorOf(r), leave); err != nil {
		if errs.CodeOf(err) == errs.Conflict {
			_, msg := fieldErrors(err)
			return s.renderMyExpert(w, r, http.StatusConflict, expert.LeaveInput{}, nil, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/my-expert", "已撤销请假")
	return nil
}

func (s *Server) ratingsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderRatings(w, r, http.StatusOK, 0, nil, "")
}

func (s *Server) renderRatings(w http.ResponseWriter, r *http.Request, code int, failed int64, fields map[string]string, msg string) error {
	items, err := s.Expert.Rateable(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	s.renderStatus(w, r, code, "expert_ratings", map[string]any{"Title": "评标专家评价", "Items": items, "Failed": failed,
		"Fields": fields, "Error": msg, "Scores": []int{5, 4, 3, 2, 1}})
	return nil
}

func (s *Server) ratingSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	score, _ := strconv.Atoi(r.PostFormValue("score"))
	if _, err := s.Expert.Rate(r.Context(), actorOf(r), id, expert.RatingInput{Score: score, Comment: r.PostFormValue("comment")}); err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			return s.renderRatings(w, r, status(c), id, fields, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/expert-ratings", "已提交评价")
	return nil
}
