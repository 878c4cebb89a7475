package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
)

// JSON API of the expert library. The services authorize and decide what
// each caller sees (masked personal numbers outside one's own centre).

// maxImportBytes bounds an uploaded import file.
const maxImportBytes = 10 << 20

func (s *Server) apiSpecialties(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Authorize(auth.ReadSpecialties); err != nil {
		return err
	}
	all := expert.Specialties().All()
	if p := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("prefix"))); p != "" {
		out := all[:0]
		for _, sp := range all {
			if expert.Matches(sp.Code, p) {
				out = append(out, sp)
			}
		}
		all = out
	}
	writeJSON(w, http.StatusOK, list[expert.Specialty]{Items: all, Total: len(all)})
	return nil
}

// expertFilter reads the list and export filters from the query.
func expertFilter(r *http.Request) expert.Filter {
	q := r.URL.Query()
	return expert.Filter{CentreCode: strings.TrimSpace(q.Get("centre")), Specialty: strings.TrimSpace(q.Get("specialty")),
		Status: expert.Status(q.Get("status")), Query: strings.TrimSpace(q.Get("q")),
		Flagged: q.Get("flagged") == "true" || q.Get("flagged") == "1"}
}

func (s *Server) apiExperts(w http.ResponseWriter, r *http.Request) error {
	f := expertFilter(r)
	var err error
	if f.Limit, f.Offset, err = paging(r); err != nil {
		return err
	}
	items, total, err := s.Expert.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[expert.Expert]{Items: items, Total: total, Limit: f.Limit, Offset: f.Offset})
	return nil
}

func (s *Server) apiCreateExpert(w http.ResponseWriter, r *http.Request) error {
	var in expert.Input
	if err := decode(w, r, &in); err != nil {
		return err
	}
	e, err := s.Expert.Create(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) apiExpert(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "id", http.StatusOK, s.Expert.Get)
}

func (s *Server) apiUpdateExpert(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "id", http.StatusOK, s.Expert.Update)
}

func (s *Server) apiExpertHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := s.Expert.History(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[expert.HistoryEntry]{Items: h, Total: len(h)})
	return nil
}

func (s *Server) apiSuspendExpert(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "id", http.StatusOK, s.Expert.Suspend)
}

func (s *Server) apiReinstateExpert(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "id", http.StatusOK, s.Expert.Reinstate)
}

func (s *Server) apiRetireExpert(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "id", http.StatusOK, s.Expert.Retire)
}

func (s *Server) apiAddExpertLeave(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "id", http.StatusCreated, s.Expert.AddLeave)
}

func (s *Server) apiRemoveExpertLeave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	leave, err := pathID(r, "leave")
	if err != nil {
		return err
	}
	if err := s.Expert.RemoveLeave(r.Context(), actorOf(r), id, leave); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiAddExpertPenalty(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "id", http.StatusCreated, s.Expert.AddPenalty)
}

// importUpload reads an import file: a multipart/form-data body with the
// file in the part named "file", or the file as the whole body with
// Content-Type text/csv or the .xlsx type. The format comes from ?format=,
// else the file name, else the content type.
func importUpload(w http.ResponseWriter, r *http.Request) (expert.Format, []byte, error) {
	bad := func(msg string) error {
		var f errs.Fields
		f.Add("file", "%s", msg)
		return f.Err()
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes+maxFormBytes)
	format := expert.FormatOf(r.URL.Query().Get("format"))
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var data []byte
	var err error
	switch mt {
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return "", nil, bad("上传内容格式有误")
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return "", nil, bad("缺少文件（字段 file）")
			}
			if err != nil {
				return "", nil, bad("上传内容不完整或格式有误")
			}
			if part.FormName() != "file" {
				part.Close()
				continue
			}
			if format == "" {
				format = expert.FormatOf(part.FileName())
			}
			data, err = io.ReadAll(io.LimitReader(part, maxImportBytes+1))
			if err != nil {
				return "", nil, bad("上传内容不完整")
			}
			break
		}
	case "text/csv":
		if format == "" {
			format = expert.CSV
		}
		data, err = io.ReadAll(io.LimitReader(r.Body, maxImportBytes+1))
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream":
		if format == "" {
			format = expert.XLSX
		}
		data, err = io.ReadAll(io.LimitReader(r.Body, maxImportBytes+1))
	default:
		return "", nil, bad("请上传 .xlsx 或 .csv 文件（multipart/form-data 的 file 字段，或以 text/csv、xlsx 类型直接提交）")
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || len(data) > maxImportBytes:
		return "", nil, bad("文件超过 10 MB，请分批导入")
	case err != nil:
		return "", nil, bad("上传内容不完整")
	case format == "":
		return "", nil, bad("无法判断文件格式：文件名应以 .xlsx 或 .csv 结尾")
	}
	return format, data, nil
}

func (s *Server) apiImportExperts(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := a.Authorize(auth.ManageExperts); err != nil {
		return err // refused callers are not read
	}
	format, data, err := importUpload(w, r)
	if err != nil {
		return err
	}
	rep, err := s.Expert.Import(r.Context(), a, format, data)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// exportFile runs an export into a buffer (so an error becomes a clean
// error response) and sends it as a download.
func (s *Server) exportFile(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	format := expert.FormatOf(q.Get("format"))
	if q.Get("format") == "" {
		format = expert.XLSX
	}
	template := q.Get("template") == "true" || q.Get("template") == "1"
	var buf bytes.Buffer
	if _, err := s.Expert.Export(r.Context(), actorOf(r), format, expert.ExportOptions{Filter: expertFilter(r), Template: template}, &buf); err != nil {
		return err
	}
	name := "评标专家库." + string(format)
	ctype := "text/csv; charset=utf-8"
	if template {
		name = "评标专家导入模板." + string(format)
	}
	if format == expert.XLSX {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="experts.`+string(format)+`"; filename*=UTF-8''`+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	buf.WriteTo(w)
	return nil
}

func (s *Server) apiExportExperts(w http.ResponseWriter, r *http.Request) error {
	return s.exportFile(w, r)
}

func (s *Server) apiMyExpert(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Expert.Mine(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiAddMyLeave(w http.ResponseWriter, r *http.Request) error {
	var in expert.LeaveInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	l, err := s.Expert.AddMyLeave(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (s *Server) apiRemoveMyLeave(w http.ResponseWriter, r *http.Request) error {
	leave, err := pathID(r, "leave")
	if err != nil {
		return err
	}
	if err := s.Expert.RemoveMyLeave(r.Context(), actorOf(r), leave); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiRateable(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Expert.Rateable(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[expert.Rateable]{Items: items, Total: len(items)})
	return nil
}

func (s *Server) apiRateExpert(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "id", http.StatusCreated, s.Expert.Rate)
}
