package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/errs"
	"ggzy/internal/notice"
)

// JSON API of the notice area (公告公示). The service authorizes and
// validates; these handlers only translate.

func noticeID(r *http.Request) (int64, error) { return pathID(r, "notice") }

func (s *Server) apiNotices(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := notice.Filter{State: notice.State(q.Get("state")), Kind: notice.Kind(q.Get("kind"))}
	project, err := queryInt(r, "project", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	f.ProjectID = int64(project)
	if f.Limit, f.Offset, err = paging(r); err != nil {
		return err
	}
	items, total, err := s.Notice.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[notice.Notice]{Items: items, Total: total, Limit: f.Limit, Offset: f.Offset})
	return nil
}

func (s *Server) apiDraftNotice(w http.ResponseWriter, r *http.Request) error {
	var in notice.Input
	if err := decode(w, r, &in); err != nil {
		return err
	}
	n, err := s.Notice.Draft(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, n)
	return nil
}

func (s *Server) apiNotice(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "notice", http.StatusOK, s.Notice.Get)
}

func (s *Server) apiUpdateNotice(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "notice", http.StatusOK, s.Notice.Update)
}

func (s *Server) apiSubmitNotice(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "notice", http.StatusOK, s.Notice.Submit)
}

func (s *Server) apiDecideNotice(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "notice", http.StatusOK, s.Notice.Decide)
}

func (s *Server) apiCheckNotice(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	var at time.Time
	if v := r.URL.Query().Get("publish_at"); v != "" {
		if at, err = time.Parse(time.RFC3339, v); err != nil {
			var f errs.Fields
			f.Add("publish_at", "须为 RFC 3339 时间，例如 2026-12-01T09:00:00+08:00")
			return f.Err()
		}
	}
	rep, err := s.Notice.Check(r.Context(), actorOf(r), id, at)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) apiVerifyNotice(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "notice", http.StatusOK, s.Notice.Verify)
}

func (s *Server) apiAttachNotice(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	att, err := s.streamNoticeUpload(w, r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, att)
	return nil
}

// streamNoticeUpload asks the service first, so a refused upload is never
// read, then streams the multipart part named "file" into storage. Tender
// documents are marked by tender_docs=true in the query or by a
// "tender_docs" part before the file.
func (s *Server) streamNoticeUpload(w http.ResponseWriter, r *http.Request, id int64) (notice.Attachment, error) {
	a := actorOf(r)
	if err := s.Notice.CanAttach(r.Context(), a, id); err != nil {
		return notice.Attachment{}, err
	}
	tenderDocs := truthy(r.URL.Query().Get("tender_docs"))
	r.Body = http.MaxBytesReader(w, r.Body, s.Notice.Config().MaxAttachment+maxFormBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return notice.Attachment{}, noticeUploadInvalid("请以 multipart/form-data 上传文件（字段 file）")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return notice.Attachment{}, noticeUploadInvalid("缺少文件（字段 file）")
		}
		if err != nil {
			return notice.Attachment{}, noticeUploadInvalid("上传内容不完整或格式有误")
		}
		switch part.FormName() {
		case "tender_docs":
			b, _ := io.ReadAll(io.LimitReader(part, 16))
			tenderDocs = truthy(string(b))
		case "file":
			att, err := s.Notice.AddAttachment(r.Context(), a, id, part.FileName(), tenderDocs, part)
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return att, noticeUploadInvalid("上传内容过大")
			}
			return att, err
		}
		part.Close()
	}
}

func truthy(v string) bool {
	v = strings.TrimSpace(v)
	return v == "1" || v == "true" || v == "on"
}

func noticeUploadInvalid(msg string) error {
	var f errs.Fields
	f.Add("file", "%s", msg)
	return f.Err()
}

func (s *Server) apiNoticeAttachment(w http.ResponseWriter, r *http.Request) error {
	id, file, err := noticeFileIDs(r)
	if err != nil {
		return err
	}
	att, rc, err := s.Notice.OpenAttachment(r.Context(), actorOf(r), id, file)
	if err != nil {
		return err
	}
	serveNoticeFile(w, att, rc)
	return nil
}

func (s *Server) apiDownloadDocs(w http.ResponseWriter, r *http.Request) error {
	id, file, err := noticeFileIDs(r)
	if err != nil {
		return err
	}
	att, rc, err := s.Notice.DownloadDocs(r.Context(), actorOf(r), id, file)
	if err != nil {
		return err
	}
	serveNoticeFile(w, att, rc)
	return nil
}

func noticeFileIDs(r *http.Request) (int64, int64, error) {
	id, err := noticeID(r)
	if err != nil {
		return 0, 0, err
	}
	file, err := pathID(r, "file")
	return id, file, err
}

// serveNoticeFile sends a file as an attachment, never inline: uploaded
// content must not run in the platform's origin.
func serveNoticeFile(w http.ResponseWriter, att notice.Attachment, rc io.ReadCloser) {
	defer rc.Close()
	ct := mime.TypeByExtension(strings.ToLower(path.Ext(att.Name)))
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": att.Name}))
	h.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-SM3", att.Digest)
	io.Copy(w, rc)
}

func (s *Server) apiDetachNotice(w http.ResponseWriter, r *http.Request) error {
	id, file, err := noticeFileIDs(r)
	if err != nil {
		return err
	}
	if err := s.Notice.RemoveAttachment(r.Context(), actorOf(r), id, file); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiNoticeDownloads(w http.ResponseWriter, r *http.Request) error {
	id, err := noticeID(r)
	if err != nil {
		return err
	}
	lots, err := s.Notice.Downloads(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[notice.LotDownloads]{Items: lots, Total: len(lots)})
	return nil
}
