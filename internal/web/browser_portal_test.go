package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ggzy/internal/demo"
	"ggzy/internal/testenv"
)

// TestBrowserPublicSiteAndIntake walks the front door on the demo data in a
// real browser: the public lists notices, filters them by trading kind,
// searches them; then a centre's staff member accepts a submitted project.
func TestBrowserPublicSiteAndIntake(t *testing.T) {
	ctx := browser(t)
	e, _ := testenv.NewDemo(t, 40)
	base := e.HTTP.URL

	// A published land notice and a word of its title to search for.
	var landTitle string
	if err := e.DB.QueryRow(e.Ctx, `SELECT title FROM notices WHERE state = 'published' AND trade_kind = 'land'
		ORDER BY published_at DESC LIMIT 1`).Scan(&landTitle); err != nil {
		t.Fatalf("no published land notice in the demo: %v", err)
	}

	load(t, ctx, "open the public notice list", chromedp.Navigate(base+"/notices"))
	if rows := text(t, ctx, "#notices tbody"); strings.Contains(rows, "没有符合条件的公告") {
		t.Fatalf("the public list is empty:\n%s", rows)
	}

	do(t, ctx, "choose 土地使用权", chromedp.SetValue(chromedp.ID("trade_kind"), "land"))
	u := load(t, ctx, "filter", chromedp.Click(chromedp.ID("filter-submit")))
	if u.Query().Get("trade_kind") != "land" {
		t.Fatalf("filter went to %s", u)
	}
	rows := text(t, ctx, "#notices tbody")
	for _, other := range []string{"工程建设", "政府采购", "国有产权"} {
		if strings.Contains(rows, other) {
			t.Fatalf("land filter shows a %s notice:\n%s", other, rows)
		}
	}
	if !strings.Contains(rows, "土地使用权") {
		t.Fatalf("land filter shows no land notice:\n%s", rows)
	}

	// Search for part of the newest land notice's title (≥ 3 characters:
	// the full-text index).
	term := string([]rune(landTitle)[:6])
	load(t, ctx, "open the list again", chromedp.Navigate(base+"/notices"))
	do(t, ctx, "type the search term", chromedp.SendKeys(chromedp.ID("q"), term))
	u = load(t, ctx, "search", chromedp.Click(chromedp.ID("filter-submit")))
	if u.Query().Get("q") != term {
		t.Fatalf("search went to %s", u)
	}
	if rows := text(t, ctx, "#notices tbody"); !strings.Contains(rows, landTitle) {
		t.Fatalf("searching %q does not find %q:\n%s", term, landTitle, rows)
	}

	// A staff member of the project's centre accepts a submitted project.
	var projectID int64
	var projectName, staff string
	if err := e.DB.QueryRow(e.Ctx, `SELECT p.id, p.name, u.username FROM projects p
		JOIN organisations o ON o.centre_id = p.centre_id AND o.kind = 'centre'
		JOIN users u ON u.org_id = o.id AND u.role = 'staff'
		WHERE p.state = 'submitted' ORDER BY p.id LIMIT 1`).Scan(&projectID, &projectName, &staff); err != nil {
		t.Fatalf("no submitted project with centre staff in the demo: %v", err)
	}
	signIn(t, ctx, base, staff, demo.Password)
	load(t, ctx, "open the intake queue", chromedp.Navigate(base+"/workbench/intake"))
	load(t, ctx, "open the project", chromedp.Click(chromedp.Search(`//table[@id="intake-queue"]//a[normalize-space(.)="`+projectName+`"]`)))
	load(t, ctx, "accept it", chromedp.Click(chromedp.ID("accept")))
	if state := text(t, ctx, "#project-state"); state != "已受理" {
		t.Fatalf("after accepting, the project is %q", state)
	}
	var dbState string
	e.DB.QueryRow(e.Ctx, "SELECT state FROM projects WHERE id = ?", projectID).Scan(&dbState)
	if dbState != "accepted" {
		t.Fatalf("project %d is %s in the database", projectID, dbState)
	}
}
