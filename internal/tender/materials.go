package tender

import (
	"context"
	"io"
	"path"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/guide"
)

// maxFilesPerProject bounds a project's uploads: the guide lists at most
// 50 materials, some of several pages.
const maxFilesPerProject = 200

// materialTypes are the file types centres accept for intake materials:
// scans and office documents (OFD is the national format for e-documents).
var materialTypes = []string{".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".zip", ".rar", ".7z"}

// CleanFileName reduces a browser-supplied file name to its last element
// and checks it: not empty, at most 200 characters, no control characters,
// one of the accepted types. It is exported for the web layer's fuzz test.
func CleanFileName(name string) (string, error) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	var f errs.Fields
	if f.Required("file", "文件名", name) {
		f.MaxLen("file", "文件名", name, 200)
		checkText(&f, "file", "文件名", name)
		ext := strings.ToLower(path.Ext(name))
		ok := false
		for _, t := range materialTypes {
			ok = ok || ext == t
		}
		if !ok {
			f.Add("file", "文件类型不受支持，请上传 %s 格式", strings.Join(materialTypes, " "))
		}
	}
	return name, f.Err()
}

// CanUpload says, before any bytes are read, whether the actor may upload
// a file for materialID (0 = other supporting files) to the project: the
// web layer asks first so a refused upload is never streamed into storage.
func (s *Service) CanUpload(ctx context.Context, a auth.Actor, projectID, materialID int64) error {
	if err := a.Authorize(auth.CreateProject); err != nil {
		return err
	}
	_, err := s.uploadTarget(ctx, s.DB, a, projectID, materialID)
	return err
}

func (s *Service) uploadTarget(ctx context.Context, q db.Querier, a auth.Actor, projectID, materialID int64) (Project, error) {
	p, err := s.owned(ctx, q, a, projectID)
	if err != nil {
		return p, err
	}
	if materialID < 0 {
		var f errs.Fields
		f.Add("material_id", "材料编号无效")
		return p, f.Err()
	}
	if materialID == 0 {
		return p, nil
	}
	m, err := guide.Intake(ctx, q, string(p.TradeKind))
	if err != nil && !errs.Is(err, errs.NotFound) {
		return p, err
	}
	if _, ok := m.Material(materialID); err != nil || !ok {
		var f errs.Fields
		f.Add("material_id", "所选材料不属于%s项目的进场登记材料清单", p.TradeKind.Label())
		return p, f.Err()
	}
	return p, nil
}

// Upload streams one file into the blob store (at most MaxMaterialBytes)
// and attaches it to the project as materialID (0 = other supporting
// files). The checks run before the first byte is read and again in the
// transaction that records the file; a file stored by a transaction that
// then fails stays in the content-addressed store unreferenced.
func (s *Service) Upload(ctx context.Context, a auth.Actor, projectID, materialID int64, fileName string, r io.Reader) (ProjectMaterial, error) {
	if err := a.Authorize(auth.CreateProject); err != nil {
		return ProjectMaterial{}, err
	}
	name, err := CleanFileName(fileName)
	if err != nil {
		return ProjectMaterial{}, err
	}
	if _, err := s.uploadTarget(ctx, s.DB, a, projectID, materialID); err != nil {
		return ProjectMaterial{}, err
	}
	ref, err := s.Blobs.Put(ctx, r, s.MaxMaterialBytes)
	if err != nil {
		if errs.Is(err, errs.Invalid) {
			var f errs.Fields
			f.Add("file", "%s", errs.As(err).Message)
			return ProjectMaterial{}, f.Err()
		}
		return ProjectMaterial{}, err
	}
	if ref.Size == 0 {
		var f errs.Fields
		f.Add("file", "文件为空")
		return ProjectMaterial{}, f.Err()
	}
	var m ProjectMaterial
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := lockProject(ctx, tx, projectID); err != nil {
			return err
		}
		p, err := s.uploadTarget(ctx, tx, a, projectID, materialID)
		if err != nil {
			return err
		}
		files, err := MaterialsOf(ctx, tx, projectID)
		if err != nil {
			return err
		}
		if len(files) >= maxFilesPerProject {
			return errs.E(errs.Conflict, "每个项目最多上传%d个文件", maxFilesPerProject)
		}
		m = ProjectMaterial{ProjectID: projectID, MaterialID: materialID, FileName: name, BlobKey: ref.Key,
			Size: ref.Size, UploadedAt: s.Clock.Now(), UploadedBy: a.UserID}
		if m.ID, err = insertMaterial(ctx, tx, m); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "project.material.upload", p, map[string]any{
			"code": p.Code, "file_id": m.ID, "material_id": materialID, "file_name": name, "size": ref.Size, "sm3": ref.Key,
		})
	})
	return m, err
}

// RemoveMaterial detaches an uploaded file from a draft or returned project.
func (s *Service) RemoveMaterial(ctx context.Context, a auth.Actor, projectID, fileID int64) error {
	if err := a.Authorize(auth.CreateProject); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		if err := lockProject(ctx, tx, projectID); err != nil {
			return err
		}
		p, err := s.owned(ctx, tx, a, projectID)
		if err != nil {
			return err
		}
		m, err := getMaterial(ctx, tx, projectID, fileID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM project_materials WHERE id = ?", m.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "project.material.remove", p, map[string]any{
			"code": p.Code, "file_id": m.ID, "material_id": m.MaterialID, "file_name": m.FileName, "sm3": m.BlobKey,
		})
	})
}

// Checklist compares the project's files with the guide's intake matter,
// for whoever may see the project.
func (s *Service) Checklist(ctx context.Context, a auth.Actor, projectID int64) (Checklist, error) {
	if err := a.Authorize(auth.ReadProject); err != nil {
		return Checklist{}, err
	}
	p, err := GetProject(ctx, s.DB, projectID)
	if err != nil {
		return Checklist{}, err
	}
	if !Visible(a, p) {
		return Checklist{}, errs.E(errs.NotFound, "项目不存在")
	}
	files, err := MaterialsOf(ctx, s.DB, projectID)
	if err != nil {
		return Checklist{}, err
	}
	m, err := guide.Intake(ctx, s.DB, string(p.TradeKind))
	if errs.Is(err, errs.NotFound) {
		return check(nil, files), nil
	}
	if err != nil {
		return Checklist{}, err
	}
	return check(&m, files), nil
}

// OpenMaterial returns an uploaded file for whoever may see the project
// (the applicant, the centre deciding it, its supervisors). The caller
// closes the reader.
func (s *Service) OpenMaterial(ctx context.Context, a auth.Actor, projectID, fileID int64) (ProjectMaterial, io.ReadCloser, error) {
	if err := a.Authorize(auth.ReadProject); err != nil {
		return ProjectMaterial{}, nil, err
	}
	p, err := GetProject(ctx, s.DB, projectID)
	if err != nil {
		return ProjectMaterial{}, nil, err
	}
	if !Visible(a, p) {
		return ProjectMaterial{}, nil, errs.E(errs.NotFound, "项目不存在")
	}
	m, err := getMaterial(ctx, s.DB, projectID, fileID)
	if err != nil {
		return m, nil, err
	}
	rc, err := s.Blobs.Open(ctx, m.BlobKey)
	return m, rc, err
}
