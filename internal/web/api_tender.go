package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"ggzy/internal/errs"
	"ggzy/internal/tender"
)

func (s *Server) apiProjects(w http.ResponseWriter, r *http.Request) error {
	limit, offset, err := paging(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := tender.Filter{State: tender.State(q.Get("state")), TradeKind: tender.TradeKind(q.Get("trade_kind")),
		Query: q.Get("q"), Limit: limit, Offset: offset}
	items, total, err := s.Tender.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[tender.Entry]{Items: items, Total: total, Limit: limit, Offset: offset})
	return nil
}

func (s *Server) apiRegisterProject(w http.ResponseWriter, r *http.Request) error {
	var in tender.ProjectInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.Tender.Register(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) apiProject(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "project", http.StatusOK, s.Tender.Get)
}

func (s *Server) apiUpdateProject(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "project", http.StatusOK, s.Tender.Update)
}

// tenderNoBody accepts a missing body or "{}" for actions that take no input.
func tenderNoBody(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength == 0 {
		return nil
	}
	var none struct{}
	return decode(w, r, &none)
}

func (s *Server) apiSubmitProject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "project")
	if err != nil {
		return err
	}
	if err := tenderNoBody(w, r); err != nil {
		return err
	}
	p, err := s.Tender.Submit(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiWithdrawProject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "project")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.Tender.Withdraw(r.Context(), actorOf(r), id, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiDecideProject(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "project", http.StatusOK, s.Tender.Decide)
}

func (s *Server) apiArchiveProject(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "project", http.StatusOK, s.Tender.Archive)
}

func (s *Server) apiChecklist(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "project", http.StatusOK, s.Tender.Checklist)
}

// apiUploadMaterial streams one file of a multipart/form-data body into
// storage without buffering it. The guide material is named by the
// material_id query parameter or by a material_id part before the file
// part; the file is the part named "file".
func (s *Server) apiUploadMaterial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "project")
	if err != nil {
		return err
	}
	materialID, err := queryInt(r, "material_id", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	m, err := s.streamUpload(w, r, id, int64(materialID))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

// streamUpload asks the service first (so a refused upload is never read),
// then walks the multipart parts in order.
func (s *Server) streamUpload(w http.ResponseWriter, r *http.Request, projectID, materialID int64) (tender.ProjectMaterial, error) {
	a := actorOf(r)
	if err := s.Tender.CanUpload(r.Context(), a, projectID, materialID); err != nil {
		return tender.ProjectMaterial{}, err
	}
	// The service enforces the file limit; this bounds the whole body.
	r.Body = http.MaxBytesReader(w, r.Body, s.Tender.MaxMaterialBytes+maxFormBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return tender.ProjectMaterial{}, uploadInvalid("请以 multipart/form-data 上传文件（字段 file）")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return tender.ProjectMaterial{}, uploadInvalid("缺少文件（字段 file）")
		}
		if err != nil {
			return tender.ProjectMaterial{}, uploadInvalid("上传内容不完整或格式有误")
		}
		switch part.FormName() {
		case "material_id":
			b, _ := io.ReadAll(io.LimitReader(part, 32))
			n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
			if err != nil || n < 0 {
				var f errs.Fields
				f.Add("material_id", "须为非负整数")
				return tender.ProjectMaterial{}, f.Err()
			}
			materialID = n
		case "file":
			m, err := s.Tender.Upload(r.Context(), a, projectID, materialID, part.FileName(), part)
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return m, uploadInvalid("上传内容过大")
			}
			return m, err
		}
		part.Close()
	}
}

func uploadInvalid(msg string) error {
	var f errs.Fields
	f.Add("file", "%s", msg)
	return f.Err()
}

func (s *Server) apiDownloadMaterial(w http.ResponseWriter, r *http.Request) error {
	return s.serveMaterial(w, r)
}

// serveMaterial sends an uploaded file as an attachment, never inline: the
// content comes from applicants and must not run in the platform's origin.
func (s *Server) serveMaterial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "project")
	if err != nil {
		return err
	}
	fileID, err := pathID(r, "file")
	if err != nil {
		return err
	}
	m, rc, err := s.Tender.OpenMaterial(r.Context(), actorOf(r), id, fileID)
	if err != nil {
		return err
	}
	defer rc.Close()
	ct := mime.TypeByExtension(strings.ToLower(path.Ext(m.FileName)))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.FileName}))
	w.Header().Set("Content-Length", strconv.FormatInt(m.Size, 10))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-SM3", m.BlobKey)
	io.Copy(w, rc)
	return nil
}

func (s *Server) apiRemoveMaterial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "project")
	if err != nil {
		return err
	}
	fileID, err := pathID(r, "file")
	if err != nil {
		return err
	}
	if err := s.Tender.RemoveMaterial(r.Context(), actorOf(r), id, fileID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiIntakeQueue(w http.ResponseWriter, r *http.Request) error {
	limit, offset, err := paging(r)
	if err != nil {
		return err
	}
	overdue, err := tenderQueryBool(r, "overdue")
	if err != nil {
		return err
	}
	items, total, err := s.Tender.Queue(r.Context(), actorOf(r), tender.QueueFilter{OverdueOnly: overdue, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[tender.Entry]{Items: items, Total: total, Limit: limit, Offset: offset})
	return nil
}

// tenderQueryBool reads an optional true/false (1/0) query parameter.
func tenderQueryBool(r *http.Request, name string) (bool, error) {
	switch r.URL.Query().Get(name) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	var f errs.Fields
	f.Add(name, "须为 true 或 false")
	return false, f.Err()
}
