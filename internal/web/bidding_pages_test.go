package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/ca"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/sealed"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
	"ggzy/internal/web"
)

// bidDeadline is the fixture lot's bid deadline: 2026-12-28 09:30 Beijing.
var bidDeadline = noticeBJ("2026-12-28 09:30")

// webBidder is a bidding organisation with its key, certificate and a
// signed-in browser.
type webBidder struct {
	name     string
	username string
	org      int64
	actor    auth.Actor
	key      *sm2.PrivateKey
	cert     *smx509.Certificate
	c        *testenv.Client
}

// bidEnv is a platform with one construction lot taking bids (its tender
// notice published through the notice service) and n bidders holding
// certificates of the built-in CA.
type bidEnv struct {
	*testenv.Env
	project, lot int64
	bidders      []*webBidder
}

func newBidEnv(t *testing.T, n int) *bidEnv {
	t.Helper()
	e := &bidEnv{Env: testenv.New(t)}
	names := []string{"", "昭通宏达建筑有限公司", "云南滇东路桥工程有限公司", "昭阳区恒信建设集团"}
	for i := range n {
		b := &webBidder{name: names[i], username: fmt.Sprintf("bidder%d", i+1)}
		if i == 0 {
			b.org = e.Orgs[auth.KindBidder]
			e.Must(e.DB.QueryRow(e.Ctx, "SELECT name FROM organisations WHERE id = ?", b.org).Scan(&b.name))
		} else {
			b.org = e.RegisterApproved(auth.KindBidder, b.username, b.name)
		}
		var err error
		_, b.actor, err = e.Auth.Login(e.Ctx, "127.0.0.1", b.username, testenv.Password)
		e.Must(err)
		b.key, err = ca.GenerateKey()
		e.Must(err)
		b.cert, err = e.CA.IssueFor(e.Ctx, auth.System, b.org, &b.key.PublicKey)
		e.Must(err)
		b.c = noticeClient(t, e.Env, b.username)
		e.bidders = append(e.bidders, b)
	}
	c, err := centre.ByCode(e.Ctx, e.DB, "530602")
	e.Must(err)
	now := db.Micros(e.Clock.Now())
	e.Must(e.DB.QueryRow(e.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, agent_org_id, state_funded, state, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		"ZT530602-2026-B001", "昭阳区凤凰路改造工程", tender.Construction, "housing", c.ID, c.RegionCode, tender.Open,
		1000*money.OneWan, e.Orgs[auth.KindTenderer], e.Orgs[auth.KindAgent], true, tender.Accepted, now, now).Scan(&e.project))
	e.Must(e.DB.QueryRow(e.Ctx, `INSERT INTO lots (project_id, seq, name, estimated_price, max_price, deposit, eval_method, state)
		VALUES (?, 1, '施工', ?, ?, ?, ?, ?) RETURNING id`, e.project, 1000*money.OneWan, 900*money.OneWan, 20*money.OneWan,
		tender.LowestPrice, tender.Accepted).Scan(&e.lot))
	agent, staff := e.Actor(auth.Agent), e.Actor(auth.Staff)
	in := notice.Input{ProjectID: e.project, Kind: notice.KindTender, DocsFrom: noticeBJ("2026-11-25 09:00"),
		DocsUntil: noticeBJ("2026-12-02 17:00"), BidDeadline: bidDeadline}
	nt, err := e.Notice.Draft(e.Ctx, agent, in)
	e.Must(err)
	_, err = e.Notice.Submit(e.Ctx, agent, nt.ID)
	e.Must(err)
	_, err = e.Notice.Decide(e.Ctx, staff, nt.ID, notice.Decision{Approve: true})
	e.Must(err)
	l, err := tender.GetLot(e.Ctx, e.DB, e.lot)
	e.Must(err)
	if !l.BidDeadline.Equal(bidDeadline) {
		t.Fatalf("lot deadline %v", l.BidDeadline)
	}
	return e
}

// seal makes b's sealed bid for lot at price; pad adds a document of that
// many bytes.
func (e *bidEnv) seal(b *webBidder, lot int64, price money.Fen, pad int) []byte {
	e.T.Helper()
	dir := e.T.TempDir()
	e.Must(os.WriteFile(filepath.Join(dir, "商务标.txt"), []byte("投标报价 "+price.Yuan()), 0o644))
	if pad > 0 {
		e.Must(os.WriteFile(filepath.Join(dir, "技术标.bin"), bytes.Repeat([]byte{0x5a}, pad), 0o644))
	}
	form := sealed.Form{LotID: lot, Price: price, DurationDays: 300, Quality: "合格", Manager: "李工", ManagerCert: "云153202100007"}
	var buf bytes.Buffer
	_, err := sealed.Seal(&buf, sealed.Signer{Cert: b.cert, Key: b.key}, form, dir, sealed.Options{Now: e.Clock.Now()})
	e.Must(err)
	return buf.Bytes()
}

var uploadAction = regexp.MustCompile(`action="(/workbench/lots/\d+/bid\?csrf_token=[^"]+)"`)

// uploadByPage posts a file through the bid page's upload form as a
// browser would: the action URL (with its CSRF token) taken from the page,
// no CSRF header.
func (e *bidEnv) uploadByPage(b *webBidder, name string, content []byte) (*http.Response, []byte) {
	e.T.Helper()
	resp, page := b.c.Do("GET", fmt.Sprintf("/workbench/lots/%d/bid", e.lot), nil, "")
	if resp.StatusCode != http.StatusOK {
		e.T.Fatalf("bid page: %d %s", resp.StatusCode, page)
	}
	m := uploadAction.FindSubmatch(page)
	if m == nil {
		e.T.Fatalf("no upload form:\n%s", page)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	noHeader := *b.c
	noHeader.CSRF = ""
	return noHeader.Do("POST", strings.ReplaceAll(string(m[1]), "&amp;", "&"), &body, mw.FormDataContentType())
}

// firstEvent reads the first Server-Sent Event of a stream and hangs up.
func firstEvent(t *testing.T, c *testenv.Client, path string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.Base+path, nil)
	resp, err := c.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, ""
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	var ev strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if sc.Text() == "" {
			break
		}
		ev.WriteString(sc.Text() + "\n")
	}
	return resp.StatusCode, ev.String()
}

// TestBiddingPagesBeforeDeadline: a bidder lists the lots taking bids,
// uploads its sealed bid through the page form (streamed; bigger than any
// form limit), downloads a receipt that verifies offline, is told in
// Chinese what is wrong with a bad upload, and withdraws; and until the
// deadline no role — admin and staff included — learns from the hall page,
// its API or its live stream who bid or how many.
func TestBiddingPagesBeforeDeadline(t *testing.T) {
	e := newBidEnv(t, 4)
	b1, b2, b3, b4 := e.bidders[0], e.bidders[1], e.bidders[2], e.bidders[3]
	lotPath := fmt.Sprintf("/workbench/lots/%d", e.lot)

	// The list: the lot is taking bids, nothing handed in yet.
	resp, page := b1.c.Do("GET", "/workbench/bids", nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "昭阳区凤凰路改造工程") ||
		!strings.Contains(string(page), lotPath+"/bid") || strings.Contains(string(page), "已递交") {
		t.Fatalf("bids page %d:\n%s", resp.StatusCode, page)
	}

	// Bad uploads re-render the form with the reason.
	for _, c := range []struct {
		name, file string
		content    []byte
		says       string
	}{
		{"no file", "", nil, "请选择加密投标文件"},
		{"plain file", "投标函.txt", []byte("报价 800 万元"), "不是有效的加密投标文件"},
		{"sealed for another lot", "other.bid", e.seal(b1, e.lot+1000, 800*money.OneWan, 0), "另一个标段"},
		{"another bidder's certificate", "b2.bid", e.seal(b2, e.lot, 800*money.OneWan, 0), "证书"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, b := e.uploadByPage(b1, c.file, c.content)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), c.says) ||
				!strings.Contains(string(b), `id="bid-upload"`) {
				t.Fatalf("status %d, want 422 saying %q:\n%s", resp.StatusCode, c.says, b)
			}
		})
	}
	if m, err := e.Bidding.Mine(e.Ctx, b1.actor, e.lot); err != nil || m.Active {
		t.Fatalf("a refused upload was kept: %+v %v", m, err)
	}

	// Without the page's CSRF token the upload is refused.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "x.bid")
	fw.Write([]byte("x"))
	mw.Close()
	noHeader := *b1.c
	noHeader.CSRF = ""
	if resp, _ := noHeader.Do("POST", lotPath+"/bid", &body, mw.FormDataContentType()); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("upload without CSRF token: %d", resp.StatusCode)
	}

	// A real bid, larger than the 1 MiB limit of ordinary forms.
	container := e.seal(b1, e.lot, 800*money.OneWan, 3<<20)
	resp, b := e.uploadByPage(b1, "投标文件.bid", container)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), lotPath+"/bid?flash=") {
		t.Fatalf("upload: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), b)
	}
	// The receipt's digest: the container digest (docs/sealed-bid-format.md).
	sum, _, err := sealed.ContainerDigestOf(bytes.NewReader(container))
	e.Must(err)
	digest := hex.EncodeToString(sum)
	_, page = b1.c.Do("GET", lotPath+"/bid", nil, "")
	for _, want := range []string{digest, "已递交，等待开标", "receipt.json", `id="bid-withdraw"`, "替换投标文件"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("bid page lacks %q", want)
		}
	}
	_, page = b1.c.Do("GET", "/workbench/bids", nil, "")
	if !strings.Contains(string(page), "已递交") {
		t.Errorf("list does not mark the bid as handed in")
	}

	// The receipt downloads as JSON and verifies with the published key.
	resp, b = b1.c.Do("GET", lotPath+"/bid/receipt.json", nil, "")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("receipt: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	var sr bidding.SignedReceipt
	e.Must(json.Unmarshal(b, &sr))
	_, pemKey := b1.c.Do("GET", "/api/v1/receipt-key", nil, "")
	pub, err := gm.ParsePublicKeyPEM(pemKey)
	e.Must(err)
	if err := bidding.VerifyReceipt(pub, sr); err != nil || sr.Receipt.Digest != digest || sr.Receipt.BidderID != b1.org {
		t.Fatalf("receipt %+v: %v", sr.Receipt, err)
	}
	sr.Receipt.Size++
	if bidding.VerifyReceipt(pub, sr) == nil {
		t.Fatal("a changed receipt verifies")
	}
	// Nobody else gets it.
	if resp, _ := b2.c.Do("GET", lotPath+"/bid/receipt.json", nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another bidder's receipt: %d", resp.StatusCode)
	}
	if resp, _ := e.Client(auth.Tenderer).Do("GET", lotPath+"/bid", nil, ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("tenderer on the bid page: %d", resp.StatusCode)
	}

	// Two more bids; the fourth bidder bids and withdraws by the page.
	for _, x := range []*webBidder{b2, b3, b4} {
		_, err := e.Bidding.Submit(e.Ctx, x.actor, e.lot, bytes.NewReader(e.seal(x, e.lot, 700*money.OneWan, 0)), bidding.Upload{IP: "10.0.0.9"})
		e.Must(err)
	}
	_, page = b4.c.Do("GET", lotPath+"/bid", nil, "")
	resp, b = postForm(b4.c, lotPath+"/bid/withdraw", url.Values{"csrf_token": {formToken(t, page)}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "撤回回执") || !strings.Contains(html.UnescapeString(string(b)), `"kind": "withdraw"`) ||
		!strings.Contains(string(b), "data:application/json;base64,") {
		t.Fatalf("withdraw: %d\n%s", resp.StatusCode, b)
	}
	if m, _ := e.Bidding.Mine(e.Ctx, b4.actor, e.lot); m.Active {
		t.Fatal("still active after withdrawal")
	}
	resp, b = postForm(b4.c, lotPath+"/bid/withdraw", url.Values{"csrf_token": {formToken(t, page)}})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "没有有效的投标文件") {
		t.Fatalf("second withdrawal: %d\n%s", resp.StatusCode, b)
	}

	// The secret: three bids are in; before the deadline no role sees a
	// name or a count, on the page, in the API or in the stream.
	names := []string{b1.name, b2.name, b3.name, b4.name}
	hallPath := lotPath + "/opening"
	apiPath := fmt.Sprintf("/api/v1/lots/%d/opening", e.lot)
	for _, role := range []auth.Role{auth.Tenderer, auth.Agent, auth.Bidder, auth.Staff, auth.Supervisor, auth.Admin} {
		t.Run("secret/"+string(role), func(t *testing.T) {
			c := e.Client(role)
			resp, page := c.Do("GET", hallPath, nil, "")
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "等待开标") || !strings.Contains(string(page), `id="hall-secret"`) {
				t.Fatalf("hall %d:\n%s", resp.StatusCode, page)
			}
			resp, api := c.Do("GET", apiPath, nil, "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("hall API %d %s", resp.StatusCode, api)
			}
			st, ev := firstEvent(t, c, apiPath+"/events")
			if st != http.StatusOK || !strings.HasPrefix(ev, "event: hall\ndata: {") {
				t.Fatalf("stream %d %q", st, ev)
			}
			var list []byte
			if role != auth.Bidder {
				_, list = c.Do("GET", "/workbench/bids", nil, "")
				if !strings.Contains(string(list), hallPath) {
					t.Errorf("the lot is not listed:\n%s", list)
				}
			}
			// The page's header names the signed-in bidder itself.
			others := names
			if role == auth.Bidder {
				others = names[1:]
			}
			for what, text := range map[string]string{"page": string(page), "API": string(api), "stream": ev, "list": string(list)} {
				for _, n := range others {
					if strings.Contains(text, n) {
						t.Errorf("%s names bidder %s before the deadline", what, n)
					}
				}
				for _, leak := range []string{"bids_received", "hall-received", "递交投标文件", "decrypted", "已解密", " 3 家", ">3<"} {
					if strings.Contains(text, leak) {
						t.Errorf("%s shows %q before the deadline", what, leak)
					}
				}
			}
			if auth.Can(role, auth.ReadSignals) {
				if resp, b := c.Do("GET", apiPath+"/signals", nil, ""); resp.StatusCode < 400 {
					t.Errorf("signals before the deadline: %d %s", resp.StatusCode, b)
				}
			}
		})
	}
	// The project's side may set the decryption window until the deadline;
	// a bad value is named on the form.
	agent := e.Client(auth.Agent)
	_, page = agent.Do("GET", hallPath, nil, "")
	resp, b = postForm(agent, hallPath+"/settings", url.Values{"csrf_token": {formToken(t, page)}, "decrypt_minutes": {"5"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "解密时限应在 10 至 240 分钟之间") {
		t.Fatalf("settings 5: %d\n%s", resp.StatusCode, b)
	}
	resp, _ = postForm(agent, hallPath+"/settings", url.Values{"csrf_token": {formToken(t, page)}, "decrypt_minutes": {"45"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings 45: %d", resp.StatusCode)
	}
	var minutes int
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT decrypt_minutes FROM lots WHERE id = ?", e.lot).Scan(&minutes))
	if minutes != 45 {
		t.Fatalf("decrypt_minutes %d", minutes)
	}
}

var wrappedInPage = regexp.MustCompile(`id="bid-wrapped">([^<]+)<`)

// TestOpeningPages: at the deadline the opening starts on its own; the
// hall shows the count and who has decrypted; each bidder's page shows
// its wrapped key and takes the content key (a wrong one is named on the
// form); once all have decrypted the record appears with prices, the PDF
// link and the supervision signals; a bidder objects and confirms, and the
// agent answers, all by the page forms.
func TestOpeningPages(t *testing.T) {
	e := newBidEnv(t, 3)
	lotPath := fmt.Sprintf("/workbench/lots/%d", e.lot)
	prices := []money.Fen{880 * money.OneWan, 760 * money.OneWan, 950 * money.OneWan} // the last above the 900 万 maximum
	for i, b := range e.bidders {
		_, err := e.Bidding.Submit(e.Ctx, b.actor, e.lot, bytes.NewReader(e.seal(b, e.lot, prices[i], 0)), bidding.Upload{IP: "10.0.0.7"})
		e.Must(err)
	}
	e.Clock.Set(bidDeadline.Add(time.Second))
	e.Must(e.Bidding.Housekeeping(e.Ctx))
	for _, b := range e.bidders { // their sessions ran out meanwhile
		b.c = noticeClient(t, e.Env, b.username)
	}

	staff := e.Client(auth.Staff)
	resp, page := staff.Do("GET", lotPath+"/opening", nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `<strong id="hall-received">3</strong>`) ||
		!strings.Contains(string(page), "投标人解密中") || !strings.Contains(string(page), "距解密结束") {
		t.Fatalf("hall during decryption %d:\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(string(page), `id="hall-signals"`) || !strings.Contains(string(page), "地址相同") {
		t.Errorf("staff do not see the shared upload address")
	}

	// bidder1 decrypts by the page: a wrong key first.
	b1 := e.bidders[0]
	_, page = b1.c.Do("GET", lotPath+"/bid", nil, "")
	m := wrappedInPage.FindSubmatch(page)
	if m == nil || !strings.Contains(string(page), `id="bid-decrypt"`) {
		t.Fatalf("no wrapped key or decrypt form:\n%s", page)
	}
	mine, err := e.Bidding.Mine(e.Ctx, b1.actor, e.lot)
	e.Must(err)
	key, err := sealed.UnwrapKey(sealed.Envelope{WrappedKey: mine.WrappedKey}, b1.key)
	e.Must(err)
	for _, bad := range []struct{ key, says string }{
		{"not hex", "32 位十六进制"},
		{strings.Repeat("00", 16), "无法解密"},
	} {
		resp, b := postForm(b1.c, lotPath+"/bid/decrypt", url.Values{"csrf_token": {formToken(t, page)}, "content_key": {bad.key}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), bad.says) || !strings.Contains(string(b), `id="bid-decrypt"`) {
			t.Fatalf("key %q: %d\n%s", bad.key, resp.StatusCode, b)
		}
	}
	resp, b := postForm(b1.c, lotPath+"/bid/decrypt", url.Values{"csrf_token": {formToken(t, page)}, "content_key": {hex.EncodeToString(key)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decrypt: %d\n%s", resp.StatusCode, b)
	}
	_, page = staff.Do("GET", lotPath+"/opening", nil, "")
	if !strings.Contains(string(page), `<span id="hall-decrypted">`+b1.name+`</span>`) {
		t.Fatalf("hall does not show who decrypted:\n%s", page)
	}
	for _, b := range e.bidders[1:] {
		mine, err := e.Bidding.Mine(e.Ctx, b.actor, e.lot)
		e.Must(err)
		key, err := sealed.UnwrapKey(sealed.Envelope{WrappedKey: mine.WrappedKey}, b.key)
		e.Must(err)
		_, err = e.Bidding.Decrypt(e.Ctx, b.actor, e.lot, key)
		e.Must(err)
	}

	// The record.
	_, page = staff.Do("GET", lotPath+"/opening", nil, "")
	for _, want := range []string{"开标结束", `id="hall-record"`, "8,800,000.00", "7,600,000.00", "9,500,000.00", "超过最高投标限价",
		"record.pdf", e.bidders[1].name, e.bidders[2].name, `id="hall-countdown-line" hidden`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("record page lacks %q", want)
		}
	}
	// A bidder objects (an empty objection is named), then confirms.
	_, page = b1.c.Do("GET", lotPath+"/opening", nil, "")
	if !strings.Contains(string(page), `id="hall-confirm"`) || !strings.Contains(string(page), `id="hall-object"`) {
		t.Fatalf("no response forms for the bidder:\n%s", page)
	}
	tok := formToken(t, page)
	resp, b = postForm(b1.c, lotPath+"/opening/responses", url.Values{"csrf_token": {tok}, "kind": {"objection"}, "text": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "请写明异议的内容") {
		t.Fatalf("empty objection: %d\n%s", resp.StatusCode, b)
	}
	resp, _ = postForm(b1.c, lotPath+"/opening/responses", url.Values{"csrf_token": {tok}, "kind": {"objection"}, "text": {"第三家报价读错"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("objection: %d", resp.StatusCode)
	}
	resp, _ = postForm(b1.c, lotPath+"/opening/responses", url.Values{"csrf_token": {tok}, "kind": {"confirm"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	_, page = b1.c.Do("GET", lotPath+"/opening", nil, "")
	if strings.Contains(string(page), `id="hall-confirm"`) || !strings.Contains(string(page), "本单位已确认开标记录") {
		t.Errorf("confirm form still offered after confirming")
	}
	// The agent answers on the page; other bidders see the answer.
	agent := e.Client(auth.Agent)
	_, page = agent.Do("GET", lotPath+"/opening", nil, "")
	answer := regexp.MustCompile(`action="(` + regexp.QuoteMeta(lotPath) + `/opening/responses/\d+/answer)"`).FindSubmatch(page)
	if answer == nil {
		t.Fatalf("no answer form:\n%s", page)
	}
	resp, b = postForm(agent, string(answer[1]), url.Values{"csrf_token": {formToken(t, page)}, "text": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "请填写答复内容") {
		t.Fatalf("empty answer: %d\n%s", resp.StatusCode, b)
	}
	resp, _ = postForm(agent, string(answer[1]), url.Values{"csrf_token": {formToken(t, page)}, "text": {"已复核，报价宣读无误"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	_, page = e.bidders[2].c.Do("GET", lotPath+"/opening", nil, "")
	if !strings.Contains(string(page), "第三家报价读错") || !strings.Contains(string(page), "已复核，报价宣读无误") {
		t.Errorf("the objection and its answer are not shown to bidders")
	}
	// The bidder's list shows the opened lot with its status.
	_, page = b1.c.Do("GET", "/workbench/bids", nil, "")
	if !strings.Contains(string(page), `id="bids-mine"`) || !strings.Contains(string(page), "已解密") {
		t.Errorf("bidder's list lacks the opened bid:\n%s", page)
	}
	// The live stream ends once the record is made.
	st, ev := firstEvent(t, staff, fmt.Sprintf("/api/v1/lots/%d/opening/events", e.lot))
	if st != http.StatusOK || !strings.Contains(ev, `"state":"recorded"`) {
		t.Fatalf("stream after the record: %d %q", st, ev)
	}
}

// TestBiddingCards: bidders get the bidding card, the project's side and
// the centre and supervisors the opening hall, experts neither.
func TestBiddingCards(t *testing.T) {
	e := testenv.New(t)
	for role, want := range map[auth.Role]string{auth.Bidder: "投标与开标", auth.Tenderer: "开标大厅", auth.Agent: "开标大厅",
		auth.Staff: "开标大厅", auth.Supervisor: "开标大厅", auth.Admin: "开标大厅", auth.Expert: ""} {
		_, b := e.Client(role).Do("GET", "/workbench", nil, "")
		cards := cardsOf(t, b)
		has := strings.Contains(cards, `href="/workbench/bids"`)
		if has != (want != "") || (want != "" && !strings.Contains(cards, "<h3>"+want+"</h3>")) {
			t.Errorf("%s: bidding card shown=%v, want %q", role, has, want)
		}
	}
}

// TestBidRequestsLogNoLot: the request log names neither the lot nor the
// address of a bid upload or of a bidder's bid page: a log of uploads per
// lot would count and locate the bidders before the deadline (RULES B3).
func TestBidRequestsLogNoLot(t *testing.T) {
	e := newBidEnv(t, 1)
	var logs bytes.Buffer
	d := e.Web.Deps
	d.Log = slog.New(slog.NewTextHandler(&logs, nil))
	srv, err := web.New(d)
	e.Must(err)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	b := e.bidders[0]
	token, _, err := e.Auth.CreateToken(e.Ctx, b.actor, "投标工具", 30)
	e.Must(err)
	lot := strconv.FormatInt(e.lot, 10)
	for _, c := range []struct{ method, path string }{
		{"PUT", "/api/v1/lots/" + lot + "/bid"},
		{"GET", "/api/v1/lots/" + lot + "/bid"},
		{"GET", "/workbench/lots/" + lot + "/bid"},
	} {
		var body io.Reader
		if c.method == "PUT" {
			body = bytes.NewReader(e.seal(b, e.lot, 800*money.OneWan, 0))
		}
		req, _ := http.NewRequest(c.method, ts.URL+c.path, body)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		e.Must(err)
		resp.Body.Close()
		if resp.StatusCode >= 400 && c.method == "PUT" {
			t.Fatalf("upload: %d", resp.StatusCode)
		}
	}
	out := logs.String()
	if strings.Count(out, "msg=http") != 3 || !strings.Contains(out, `path="PUT /api/v1/lots/{lot}/bid"`) {
		t.Fatalf("log:\n%s", out)
	}
	if strings.Contains(out, "/lots/"+lot+"/") || strings.Contains(out, "127.0.0.1") {
		t.Fatalf("log names the lot or the address:\n%s", out)
	}
}
