package notice

import (
	"context"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/tender"
)

const (
	maxAttachments   = 30
	maxAttachmentLen = 200 // characters of a file name
)

// CleanFileName checks an uploaded file's name: no path, no control
// characters, not blank, bounded length. It returns the trimmed name or a
// Chinese reason.
func CleanFileName(name string) (string, string) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", "文件名不能为空"
	case !utf8.ValidString(name):
		return "", "文件名含有无效字符"
	case utf8.RuneCountInString(name) > maxAttachmentLen:
		return "", "文件名过长"
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return "", "文件名不能包含路径"
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return "", "文件名含有控制字符"
		}
	}
	return name, ""
}

// AddAttachment streams a file into the blob store and attaches it to a
// draft. tenderDocs marks tender documents, whose downloads are recorded
// and kept secret until the bid deadline (RULES B3).
func (s *Service) AddAttachment(ctx context.Context, a auth.Actor, id int64, name string, tenderDocs bool, r io.Reader) (Attachment, error) {
	if err := a.Authorize(auth.DraftNotice); err != nil {
		return Attachment{}, err
	}
	var f errs.Fields
	name, why := CleanFileName(name)
	if why != "" {
		f.Add("name", "%s", why)
	}
	if err := f.Err(); err != nil {
		return Attachment{}, err
	}
	n, p, err := s.editable(ctx, s.DB, a, id)
	if err != nil {
		return Attachment{}, err
	}
	if tenderDocs && !n.Kind.carriesDocs() {
		f.Add("tender_docs", "%s不能附带招标文件", n.Kind.Label())
	}
	if len(n.Attachments) >= maxAttachments {
		f.Add("file", "附件不能超过%d个", maxAttachments)
	}
	if err := f.Err(); err != nil {
		return Attachment{}, err
	}
	// Streamed to storage outside the transaction; an aborted upload
	// leaves at most an unreferenced blob.
	ref, err := s.Blobs.Put(ctx, r, s.Config().MaxAttachment)
	if err != nil {
		return Attachment{}, err
	}
	if ref.Size == 0 {
		f.Add("file", "文件为空")
		return Attachment{}, f.Err()
	}
	att := Attachment{NoticeID: n.ID, Name: name, Size: ref.Size, Digest: ref.Key, TenderDocs: tenderDocs, blobKey: ref.Key}
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		if _, _, err := s.editable(ctx, tx, a, id); err != nil {
			return err
		}
		att.UploadedAt = s.now()
		err := tx.QueryRow(ctx, `INSERT INTO notice_attachments (notice_id, name, blob_key, size, digest, tender_docs, uploaded_at, uploaded_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, att.NoticeID, att.Name, ref.Key, att.Size, att.Digest, att.TenderDocs,
			db.Micros(att.UploadedAt), a.UserID).Scan(&att.ID)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, a, "notice.attach", n, p, map[string]any{"attachment_id": att.ID, "name": att.Name,
			"size": att.Size, "digest": att.Digest, "tender_docs": att.TenderDocs})
	})
	return att, err
}

// RemoveAttachment takes a file off a draft.
func (s *Service) RemoveAttachment(ctx context.Context, a auth.Actor, id, attID int64) error {
	if err := a.Authorize(auth.DraftNotice); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		n, p, err := s.editable(ctx, tx, a, id)
		if err != nil {
			return err
		}
		att, err := getAttachment(ctx, tx, n.ID, attID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM notice_attachments WHERE id = ? AND notice_id = ?", att.ID, n.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "notice.detach", n, p, map[string]any{"attachment_id": att.ID, "name": att.Name})
	})
}

// OpenAttachment hands out an ordinary attachment of a notice the caller
// may see. Tender documents go to bidders only through DownloadDocs,
// which records the download; the project's own side (tenderer, agent,
// staff, supervisors, admins) may read them here to check them.
func (s *Service) OpenAttachment(ctx context.Context, a auth.Actor, id, attID int64) (Attachment, io.ReadCloser, error) {
	if err := a.Authorize(auth.ReadNotice); err != nil {
		return Attachment{}, nil, err
	}
	n, err := s.Get(ctx, a, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	att, err := getAttachment(ctx, s.DB, n.ID, attID)
	if err != nil {
		return att, nil, err
	}
	if att.TenderDocs {
		p, err := tender.GetProject(ctx, s.DB, n.ProjectID)
		if err != nil {
			return att, nil, err
		}
		if !mayOversee(a, p) {
			if !a.SignedIn() {
				return att, nil, errs.E(errs.Unauthenticated, "招标文件须由投标人登录后免费下载")
			}
			return att, nil, errs.E(errs.Conflict, "招标文件请通过「下载招标文件」获取（/api/v1/notices/%d/documents/%d）", n.ID, att.ID)
		}
	}
	rc, err := s.Blobs.Open(ctx, att.blobKey)
	return att, rc, err
}

// CanAttach reports, before an upload is read, whether a may attach files
// to notice id, so a refused upload is never streamed to storage.
func (s *Service) CanAttach(ctx context.Context, a auth.Actor, id int64) error {
	if err := a.Authorize(auth.DraftNotice); err != nil {
		return err
	}
	_, _, err := s.editable(ctx, s.DB, a, id)
	return err
}
