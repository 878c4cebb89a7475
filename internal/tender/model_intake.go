package tender

import (
	"time"

	"ggzy/internal/guide"
)

// ProjectMaterial is one file uploaded for a project, attached to one of
// the guide's materials (MaterialID) or to none (other supporting files).
type ProjectMaterial struct {
	ID         int64     `json:"id"`
	ProjectID  int64     `json:"project_id"`
	MaterialID int64     `json:"material_id,omitempty"`
	FileName   string    `json:"file_name"`
	BlobKey    string    `json:"sm3"` // SM3 of the content, the blob store key
	Size       int64     `json:"size"`
	UploadedAt time.Time `json:"uploaded_at"`
	UploadedBy int64     `json:"uploaded_by"`
}

// Entry is a project as lists and detail pages show it: with the names
// of its parties and centre and its intake flags.
type Entry struct {
	Project
	TendererName string `json:"tenderer_name"`
	AgentName    string `json:"agent_name,omitempty"`
	CentreName   string `json:"centre_name"`
	// Overdue: submitted and not answered by the due time.
	Overdue bool `json:"overdue"`
	// Late: answered, but at or after the due time.
	Late bool `json:"decided_late"`
}

func newEntry(p Project, tenderer, agent, centreName string, now time.Time) Entry {
	return Entry{Project: p, TendererName: tenderer, AgentName: agent, CentreName: centreName,
		Overdue: p.Overdue(now), Late: p.DecidedLate()}
}

// ChecklistItem is one material of the guide with the files handed in for it.
type ChecklistItem struct {
	Material guide.Material    `json:"material"`
	Files    []ProjectMaterial `json:"files"`
}

// Checklist compares a project's files with the guide's intake matter.
type Checklist struct {
	Matter  *guide.Matter     `json:"matter,omitempty"` // nil when the guide has no intake matter for the kind
	Items   []ChecklistItem   `json:"items"`
	Other   []ProjectMaterial `json:"other"`   // files not attached to a current guide material
	Missing []string          `json:"missing"` // names of required materials without a file
}

// Complete reports whether every required material has a file.
func (c Checklist) Complete() bool { return c.Matter != nil && len(c.Missing) == 0 }

// check builds the checklist of files against the intake matter.
func check(m *guide.Matter, files []ProjectMaterial) Checklist {
	c := Checklist{Matter: m, Items: []ChecklistItem{}, Other: []ProjectMaterial{}, Missing: []string{}}
	attached := map[int64]bool{}
	if m != nil {
		for _, mat := range m.Materials {
			item := ChecklistItem{Material: mat, Files: []ProjectMaterial{}}
			for _, f := range files {
				if f.MaterialID == mat.ID {
					item.Files = append(item.Files, f)
					attached[f.ID] = true
				}
			}
			if mat.Required && len(item.Files) == 0 {
				c.Missing = append(c.Missing, mat.Name)
			}
			c.Items = append(c.Items, item)
		}
	}
	for _, f := range files {
		if !attached[f.ID] {
			c.Other = append(c.Other, f)
		}
	}
	return c
}

// Decision is the centre's answer to a submitted project.
type Decision struct {
	Accept bool   `json:"accept"`
	Reason string `json:"reason"` // required when returning
}

// Filter narrows a list of projects.
type Filter struct {
	State     State
	TradeKind TradeKind
	Query     string // part of the name or code
	Limit     int
	Offset    int
}

// QueueFilter narrows the intake queue.
type QueueFilter struct {
	OverdueOnly bool
	Limit       int
	Offset      int
}
