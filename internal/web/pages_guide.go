package web

import (
	"net/http"
	"strconv"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/calendar"
	"ggzy/internal/errs"
	"ggzy/internal/guide"
)

// guideKind is one tab of the public guide.
type guideKind struct {
	Kind, Label string
	Matters     []guide.Matter
}

// guidePublicPage is the public 办事指南: every active matter by kind.
func (s *Server) guidePublicPage(w http.ResponseWriter, r *http.Request) error {
	kind := r.URL.Query().Get("kind")
	ms, err := s.Guide.List(r.Context(), actorOf(r), kind, false)
	if err != nil {
		return err
	}
	var kinds []guideKind
	for _, k := range guide.Kinds {
		g := guideKind{Kind: k, Label: guide.KindLabel(k)}
		for _, m := range ms {
			if m.TradeKind == k {
				g.Matters = append(g.Matters, m)
			}
		}
		if kind == "" || kind == k {
			kinds = append(kinds, g)
		}
	}
	s.render(w, r, "guide", map[string]any{"Title": "办事指南", "Kinds": kinds, "Kind": kind, "AllKinds": guide.Kinds,
		"Office": calendar.DefaultOfficeHours.String()})
	return nil
}

func (s *Server) guideAdminPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	a := actorOf(r)
	if err := a.Authorize(auth.ManageGuide); err != nil {
		return err
	}
	ms, err := s.Guide.List(r.Context(), a, "", true)
	if err != nil {
		return err
	}
	s.render(w, r, "guide_admin", map[string]any{"Title": "办事指南维护", "Matters": ms})
	return nil
}

func (s *Server) guideSeedSubmit(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Guide.Seed(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/workbench/guide", "已载入示范办事指南 "+strconv.Itoa(n)+" 项")
	return nil
}

// matterForm is the edit form's state, kept as typed so a failed save can
// show the user's input again.
type matterForm struct {
	ID        int64
	TradeKind string
	Service   string
	Code      string
	Edit      guide.MatterEdit
	// Rows are the material rows shown: the current ones and some blank
	// ones to add more without script.
	Rows []guide.MaterialInput
}

const blankMaterialRows = 3

func newMatterForm(m guide.Matter) matterForm {
	f := matterForm{ID: m.ID, TradeKind: m.TradeKind, Service: m.Service, Code: m.Code, Edit: m.Edit()}
	f.Rows = append(append([]guide.MaterialInput{}, f.Edit.Materials...), make([]guide.MaterialInput, blankMaterialRows)...)
	return f
}

func (s *Server) guideNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	if err := actorOf(r).Authorize(auth.ManageGuide); err != nil {
		return err
	}
	f := newMatterForm(guide.Matter{TradeKind: r.URL.Query().Get("kind"), Mode: guide.Online, Active: true,
		Limit: guide.Limit{Amount: 1, Unit: guide.WorkingDays}})
	f.Rows = make([]guide.MaterialInput, 5)
	return s.renderMatterForm(w, r, http.StatusOK, f, nil, "")
}

func (s *Server) guideEditPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	id, err := pathID(r, "matter")
	if err != nil {
		return err
	}
	a := actorOf(r)
	if err := a.Authorize(auth.ManageGuide); err != nil {
		return err
	}
	m, err := s.Guide.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	return s.renderMatterForm(w, r, http.StatusOK, newMatterForm(m), nil, "")
}

func (s *Server) renderMatterForm(w http.ResponseWriter, r *http.Request, code int, f matterForm, fields map[string]string, msg string) error {
	title := "新建办事事项"
	if f.ID != 0 {
		title = "修改办事事项：" + f.Edit.Name
	}
	s.renderStatus(w, r, code, "guide_form", map[string]any{"Title": title, "Form": f, "Fields": fields, "Error": msg,
		"Kinds": guide.Kinds, "Modes": guide.Modes, "Units": guide.Units})
	return nil
}

// readMatterForm reads the posted form. Material rows come as parallel
// lists; a row without a name is blank (or, for an existing material, its
// removal).
func readMatterForm(r *http.Request) (matterForm, errs.Fields) {
	var bad errs.Fields
	num := func(field, label string) int {
		v := strings.TrimSpace(r.PostFormValue(field))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad.Add(strings.TrimSuffix(field, "_amount"), "%s须为整数", label)
		}
		return n
	}
	f := matterForm{TradeKind: r.PostFormValue("trade_kind"), Service: r.PostFormValue("service")}
	f.Edit = guide.MatterEdit{
		Name: r.PostFormValue("name"), Mode: guide.Mode(r.PostFormValue("mode")),
		Limit:      guide.Limit{Amount: num("limit_amount", "承诺时限"), Unit: guide.Unit(r.PostFormValue("limit_unit"))},
		GreenLimit: guide.Limit{Amount: num("green_limit_amount", "绿色通道时限"), Unit: guide.Unit(r.PostFormValue("green_limit_unit"))},
		LegalBasis: r.PostFormValue("legal_basis"), Description: r.PostFormValue("description"),
		Active: r.PostFormValue("active") == "1",
	}
	ids, names := r.PostForm["material_id"], r.PostForm["material_name"]
	reqs, notes := r.PostForm["material_required"], r.PostForm["material_note"]
	at := func(xs []string, i int) string {
		if i < len(xs) {
			return xs[i]
		}
		return ""
	}
	for i := range names {
		row := guide.MaterialInput{Name: strings.TrimSpace(names[i]), Required: at(reqs, i) == "1", Note: at(notes, i)}
		if v := strings.TrimSpace(at(ids, i)); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id < 0 {
				bad.Add("materials", "第%d行申请材料编号无效", i+1)
			}
			row.ID = id
		}
		f.Rows = append(f.Rows, row)
		if row.Name != "" {
			f.Edit.Materials = append(f.Edit.Materials, row)
		}
	}
	return f, bad
}

func (s *Server) guideCreateSubmit(w http.ResponseWriter, r *http.Request) error {
	f, bad := readMatterForm(r)
	var err error = bad.Err()
	if err == nil {
		var m guide.Matter
		m, err = s.Guide.Create(r.Context(), actorOf(r), guide.NewMatter{TradeKind: f.TradeKind, Service: f.Service, MatterEdit: f.Edit})
		if err == nil {
			redirectFlash(w, r, "/workbench/guide", "已新建办事事项："+m.Name)
			return nil
		}
	}
	return s.matterFormFailed(w, r, f, err)
}

func (s *Server) guideEditSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "matter")
	if err != nil {
		return err
	}
	f, bad := readMatterForm(r)
	f.ID = id
	err = bad.Err()
	if err == nil {
		var m guide.Matter
		m, err = s.Guide.Update(r.Context(), actorOf(r), id, f.Edit)
		if err == nil {
			redirectFlash(w, r, "/workbench/guide", "已保存办事事项："+m.Name)
			return nil
		}
	}
	if errs.CodeOf(err) == errs.Invalid {
		// Show the code and kind, which the edit form does not post.
		if m, gerr := s.Guide.Get(r.Context(), actorOf(r), id); gerr == nil {
			f.TradeKind, f.Service, f.Code = m.TradeKind, m.Service, m.Code
		}
	}
	return s.matterFormFailed(w, r, f, err)
}

// matterFormFailed shows the form again for bad input and conflicts; other
// errors (refused, not found) become the error page.
func (s *Server) matterFormFailed(w http.ResponseWriter, r *http.Request, f matterForm, err error) error {
	if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Conflict {
		return err
	}
	for len(f.Rows) < len(f.Edit.Materials)+blankMaterialRows {
		f.Rows = append(f.Rows, guide.MaterialInput{})
	}
	fields, msg := fieldErrors(err)
	return s.renderMatterForm(w, r, status(errs.CodeOf(err)), f, fields, msg)
}
