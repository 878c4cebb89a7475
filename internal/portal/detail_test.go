package portal

import (
	"testing"
	"time"

	"ggzy/internal/errs"
	"ggzy/internal/portal/fixture"
)

// TestNoticeDetail: the detail carries the project, its attachments (with
// where to get them) and the project's other published notices only.
func TestNoticeDetail(t *testing.T) {
	e := newEnv(t)
	proj, err := e.set.AddProject(e.ctx, fixture.Project{Code: "ZT530602-2026-0001", Name: "昭阳区学校改造工程",
		Region: "530602", State: "tendering"})
	if err != nil {
		t.Fatal(err)
	}
	lot, err := e.set.AddLot(e.ctx, fixture.Lot{ProjectID: proj, Name: "施工一标段", Estimated: 100000000})
	if err != nil {
		t.Fatal(err)
	}
	tenderID := e.notice(fixture.Notice{ProjectID: proj, LotID: lot, Title: "昭阳区学校改造工程招标公告",
		Body: "第一段\n\n第二段", Region: "530602", PublishedAt: testNow.Add(-48 * time.Hour),
		ContentHash: []byte{0xab, 0xcd}, Signature: []byte{0x01}})
	amend := e.notice(fixture.Notice{ProjectID: proj, Kind: "amendment", AmendsID: tenderID, Title: "变更公告",
		Region: "530602", PublishedAt: testNow.Add(-24 * time.Hour)})
	e.notice(fixture.Notice{ProjectID: proj, Kind: "candidates", State: "review", Title: "尚未发布的候选人公示", Region: "530602"})
	for _, a := range []fixture.Attachment{
		{NoticeID: tenderID, Name: "招标文件.zip", Size: 1024, Digest: "00ff", TenderDocs: true},
		{NoticeID: tenderID, Name: "工程量清单.pdf", Size: 2048, Digest: "11ee"},
	} {
		if _, err := e.set.AddAttachment(e.ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	d, err := e.svc.Notice(e.ctx, public, tenderID)
	if err != nil {
		t.Fatal(err)
	}
	if d.ProjectCode != "ZT530602-2026-0001" || d.ProjectName != "昭阳区学校改造工程" || d.LotName != "施工一标段" ||
		d.ProcLabel != "公开招标" || d.Body != "第一段\n\n第二段" || d.ContentHash != "abcd" || d.Signature != "01" ||
		d.RegionName != "昭阳区" {
		t.Errorf("detail %+v", d)
	}
	if len(d.Attachments) != 2 || !d.Attachments[0].TenderDocs ||
		d.Attachments[0].Href != "/api/v1/notices/"+itoa(tenderID)+"/documents/"+itoa(d.Attachments[0].ID) ||
		d.Attachments[1].Href != "/api/v1/notices/"+itoa(tenderID)+"/attachments/"+itoa(d.Attachments[1].ID) {
		t.Errorf("attachments %+v", d.Attachments)
	}
	if len(d.Related) != 1 || d.Related[0].ID != amend {
		t.Errorf("related %+v, want only the published amendment", d.Related)
	}
	a, err := e.svc.Notice(e.ctx, public, amend)
	if err != nil || a.AmendsID != tenderID || len(a.Attachments) != 0 {
		t.Errorf("amendment: %+v, %v", a, err)
	}
	if _, err := e.svc.Notice(e.ctx, public, 999999); !errs.Is(err, errs.NotFound) {
		t.Errorf("missing notice: %v", err)
	}
}
