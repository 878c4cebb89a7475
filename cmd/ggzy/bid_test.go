package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
	"ggzy/internal/sealed"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// cliBidder is a bidding organisation with its key and certificate.
type cliBidder struct {
	org   int64
	actor auth.Actor
	key   *sm2.PrivateKey
	cert  *smx509.Certificate
}

func newCLIBidder(t *testing.T, e *testenv.Env, username, name string) *cliBidder {
	t.Helper()
	b := &cliBidder{}
	if username == "bidder1" {
		b.org = e.Orgs[auth.KindBidder]
	} else {
		b.org = e.RegisterApproved(auth.KindBidder, username, name)
	}
	var err error
	_, b.actor, err = e.Auth.Login(e.Ctx, "127.0.0.1", username, testenv.Password)
	e.Must(err)
	b.key, err = ca.GenerateKey()
	e.Must(err)
	b.cert, err = e.CA.IssueFor(e.Ctx, auth.System, b.org, &b.key.PublicKey)
	e.Must(err)
	return b
}

// biddableLot inserts a construction project taking bids (the notice is
// not the point here) with one lot whose deadline is two days away.
func biddableLot(t *testing.T, e *testenv.Env) (int64, time.Time) {
	t.Helper()
	c, err := centre.ByCode(e.Ctx, e.DB, "530602")
	e.Must(err)
	now := db.Micros(e.Clock.Now())
	deadline := e.Clock.Now().Add(48 * time.Hour)
	var project, lot int64
	e.Must(e.DB.QueryRow(e.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, state_funded, state, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		"ZT530602-2026-C001", "昭阳区城东排水管网工程", tender.Construction, "housing", c.ID, c.RegionCode, tender.Open,
		500*money.OneWan, e.Orgs[auth.KindTenderer], true, tender.Tendering, now, now).Scan(&project))
	e.Must(e.DB.QueryRow(e.Ctx, `INSERT INTO lots (project_id, seq, name, estimated_price, max_price, deposit, eval_method, state, bid_deadline, opening_at)
		VALUES (?, 1, '施工', ?, ?, ?, ?, ?, ?, ?) RETURNING id`, project, 500*money.OneWan, 480*money.OneWan, 10*money.OneWan,
		tender.LowestPrice, tender.Tendering, db.Micros(deadline), db.Micros(deadline)).Scan(&lot))
	return lot, deadline
}

func sealFor(t *testing.T, b *cliBidder, lot int64, price money.Fen, now time.Time) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "商务标.txt"), []byte("报价 "+price.Yuan()), 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	form := sealed.Form{LotID: lot, Price: price, DurationDays: 180, Quality: "合格", Manager: "王工"}
	if _, err := sealed.Seal(&buf, sealed.Signer{Cert: b.cert, Key: b.key}, form, dir, sealed.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBidCommands walks a bidder's tool through one lot against a running
// platform: submit (receipt saved next to the file and verified), status,
// receipt verification offline with the key file or the server (a changed
// receipt or another file fails, in Chinese, with a non-zero exit),
// withdraw and submit again, and at the opening decryption with the
// private key — the printed key, the key from the web page's wrapped key,
// a wrong private key refused, and the real decryption.
func TestBidCommands(t *testing.T) {
	e := testenv.New(t)
	lot, deadline := biddableLot(t, e)
	b1 := newCLIBidder(t, e, "bidder1", "")
	token, _, err := e.Auth.CreateToken(e.Ctx, b1.actor, "投标工具", 30)
	e.Must(err)
	dir := t.TempDir()
	file := writeFile(t, filepath.Join(dir, "投标文件.bid"), sealFor(t, b1, lot, 450*money.OneWan, e.Clock.Now()))
	api := []string{"--server", e.HTTP.URL, "--token", token, "--lot", strconv.FormatInt(lot, 10)}
	bid := func(sub string, args ...string) (int, string, string) {
		t.Helper()
		return runCmd(t, append(append([]string{"bid", sub}, api...), args...)...)
	}

	// Refusals before anything is sent.
	if code, _, errOut := runCmd(t, "bid", "submit", file); code != 1 || !strings.Contains(errOut, "--server") {
		t.Fatalf("no server: exit %d err %q", code, errOut)
	}
	if code, _, errOut := bid("submit", filepath.Join(dir, "没有这个文件.bid")); code != 1 || !strings.Contains(errOut, "无法打开") {
		t.Fatalf("missing file: exit %d err %q", code, errOut)
	}
	plain := writeFile(t, filepath.Join(dir, "plain.txt"), []byte("报价 450 万元"))
	if code, _, errOut := bid("submit", plain); code != 1 || !strings.Contains(errOut, "不是有效的加密投标文件") {
		t.Fatalf("plain file: exit %d err %q", code, errOut)
	}
	bad := append([]string{"bid", "submit", "--server", e.HTTP.URL, "--token", "ggzy_wrong", "--lot", strconv.FormatInt(lot, 10)}, file)
	if code, _, errOut := runCmd(t, bad...); code != 1 || !strings.Contains(errOut, "API 令牌") {
		t.Fatalf("bad token: exit %d err %q", code, errOut)
	}

	// Submit.
	code, out, errOut := bid("submit", file)
	if code != 0 || !strings.Contains(out, "投标文件已递交") || !strings.Contains(out, "回执已保存") {
		t.Fatalf("submit: exit %d out %q err %q", code, out, errOut)
	}
	receipt := file + ".receipt.json"
	rb, err := os.ReadFile(receipt)
	e.Must(err)
	var sr bidding.SignedReceipt
	e.Must(json.Unmarshal(rb, &sr))
	if sr.Receipt.Kind != "submit" || sr.Receipt.LotID != lot || sr.Receipt.BidderID != b1.org {
		t.Fatalf("receipt %+v", sr.Receipt)
	}
	if code, out, _ := bid("status"); code != 0 || !strings.Contains(out, sr.Receipt.Digest) || !strings.Contains(out, "等待开标") {
		t.Fatalf("status: exit %d out %q", code, out)
	}

	// Verify offline: with a key file, with the server, with the file.
	resp, err := http.Get(e.HTTP.URL + "/api/v1/receipt-key")
	e.Must(err)
	pemKey, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	keyFile := writeFile(t, filepath.Join(dir, "platform.pem"), pemKey)
	if code, out, errOut := runCmd(t, "receipt", "verify", "--key", keyFile, receipt, "--file", file); code != 0 ||
		!strings.Contains(out, "回执签名有效") || !strings.Contains(out, "与回执一致") {
		t.Fatalf("verify with key: exit %d out %q err %q", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, "receipt", "verify", "--server", e.HTTP.URL, receipt); code != 0 || !strings.Contains(out, "回执签名有效") {
		t.Fatalf("verify with server: exit %d out %q err %q", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, "receipt", "verify", "--key", keyFile, receipt, "--file", plain); code != 1 || !strings.Contains(errOut, "文件与回执不符") {
		t.Fatalf("other file: exit %d err %q", code, errOut)
	}
	// The receipt names the container digest (the one `ggzy seal`
	// prints), recomputed from the file offline; a changed byte, a
	// truncated file or another container of the same bidder does not
	// match it.
	data, err := os.ReadFile(file)
	e.Must(err)
	cd, _, err := sealed.ContainerDigestOf(bytes.NewReader(data))
	e.Must(err)
	if sr.Receipt.Version != 2 || sr.Receipt.Digest != hex.EncodeToString(cd) || sr.Receipt.Size != int64(len(data)) {
		t.Fatalf("receipt v%d names %s (%d bytes), the container digest is %x (%d bytes)", sr.Receipt.Version,
			sr.Receipt.Digest, sr.Receipt.Size, cd, len(data))
	}
	flipped := bytes.Clone(data)
	flipped[len(flipped)/2] ^= 1
	for name, c := range map[string][]byte{"flipped": flipped, "truncated": data[:len(data)-10],
		"another": sealFor(t, b1, lot, 451*money.OneWan, e.Clock.Now())} {
		p := writeFile(t, filepath.Join(dir, name+".bid"), c)
		if code, _, errOut := runCmd(t, "receipt", "verify", "--key", keyFile, receipt, "--file", p); code != 1 || !strings.Contains(errOut, "文件与回执不符") {
			t.Errorf("%s file: exit %d err %q", name, code, errOut)
		}
	}
	changed := bytes.Replace(rb, []byte(`"seq": `+strconv.FormatInt(sr.Receipt.Seq, 10)), []byte(`"seq": 999`), 1)
	forged := writeFile(t, filepath.Join(dir, "forged.json"), changed)
	if code, _, errOut := runCmd(t, "receipt", "verify", "--key", keyFile, forged); code != 1 || !strings.Contains(errOut, "回执签名无效") {
		t.Fatalf("changed receipt: exit %d err %q", code, errOut)
	}
	otherKey, _ := ca.GenerateKey()
	otherPEM, err := gm.MarshalPublicKeyPEM(&otherKey.PublicKey)
	e.Must(err)
	if code, _, errOut := runCmd(t, "receipt", "verify", "--key", writeFile(t, filepath.Join(dir, "other.pem"), otherPEM), receipt); code != 1 || !strings.Contains(errOut, "回执签名无效") {
		t.Fatalf("another platform's key: exit %d err %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, "receipt", "verify", receipt); code != 1 || !strings.Contains(errOut, "--key") {
		t.Fatalf("no key: exit %d err %q", code, errOut)
	}

	// Withdraw (receipt saved), then submit again.
	wpath := filepath.Join(dir, "withdraw.json")
	if code, out, errOut := bid("withdraw", "--out", wpath); code != 0 || !strings.Contains(out, "投标文件已撤回") {
		t.Fatalf("withdraw: exit %d out %q err %q", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, "receipt", "verify", "--key", keyFile, wpath); code != 0 || !strings.Contains(out, "撤回") {
		t.Fatalf("verify withdrawal: exit %d out %q err %q", code, out, errOut)
	}
	if code, out, _ := bid("status"); code != 0 || !strings.Contains(out, "没有有效的投标文件") {
		t.Fatalf("status after withdrawal: exit %d out %q", code, out)
	}
	if code, _, errOut := bid("withdraw", "--out", wpath+"2"); code != 1 || !strings.Contains(errOut, "没有有效的投标文件") {
		t.Fatalf("second withdrawal: exit %d err %q", code, errOut)
	}
	if code, _, errOut := bid("submit", file); code != 0 {
		t.Fatalf("submit again: exit %d err %q", code, errOut)
	}
	// Decrypting before the opening is refused.
	keyPEM, err := ca.EncodeKeyPEM(b1.key)
	e.Must(err)
	keyPath := writeFile(t, filepath.Join(dir, "key.pem"), keyPEM)
	if code, _, errOut := bid("decrypt", "--key", keyPath); code != 1 || !strings.Contains(errOut, "尚未开标") {
		t.Fatalf("decrypt before opening: exit %d err %q", code, errOut)
	}

	// Two more bidders; the deadline passes; the opening starts.
	for i, name := range []string{"昭通宏达建筑有限公司", "云南滇东路桥工程有限公司"} {
		b := newCLIBidder(t, e, "bidder"+strconv.Itoa(i+2), name)
		_, err := e.Bidding.Submit(e.Ctx, b.actor, lot, bytes.NewReader(sealFor(t, b, lot, 400*money.OneWan, e.Clock.Now())), bidding.Upload{})
		e.Must(err)
	}
	e.Clock.Set(deadline.Add(time.Second))
	e.Must(e.Bidding.Housekeeping(e.Ctx))

	// The content key, printed; the same from the wrapped key the web page shows.
	code, out, errOut = bid("decrypt", "--key", keyPath, "--print-key")
	want := ""
	if m, err := e.Bidding.Mine(e.Ctx, b1.actor, lot); err == nil {
		k, err := sealed.UnwrapKey(sealed.Envelope{WrappedKey: m.WrappedKey}, b1.key)
		e.Must(err)
		want = hex.EncodeToString(k)
		code2, out2, errOut2 := runCmd(t, "bid", "decrypt", "--wrapped", base64.StdEncoding.EncodeToString(m.WrappedKey), "--key", keyPath)
		if code2 != 0 || strings.TrimSpace(out2) != want {
			t.Fatalf("decrypt --wrapped: exit %d out %q err %q", code2, out2, errOut2)
		}
	} else {
		t.Fatal(err)
	}
	if code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("print-key: exit %d out %q err %q, want %s", code, out, errOut, want)
	}
	// A private key that does not belong to the certificate.
	wrongPEM, _ := pemOf(otherKey)
	if code, _, errOut := bid("decrypt", "--key", writeFile(t, filepath.Join(dir, "wrong.pem"), wrongPEM)); code != 1 || !strings.Contains(errOut, "无法用此私钥解开内容密钥") {
		t.Fatalf("wrong private key: exit %d err %q", code, errOut)
	}
	// The decryption itself.
	if code, out, errOut := bid("decrypt", "--key", keyPath); code != 0 || !strings.Contains(out, "解密成功") || !strings.Contains(out, "4,500,000.00") {
		t.Fatalf("decrypt: exit %d out %q err %q", code, out, errOut)
	}
	if code, out, _ := bid("status"); code != 0 || !strings.Contains(out, "已解密") {
		t.Fatalf("status after decryption: exit %d out %q", code, out)
	}
	if code, _, errOut := bid("decrypt", "--key", keyPath); code != 1 || !strings.Contains(errOut, "已处理") {
		t.Fatalf("decrypt twice: exit %d err %q", code, errOut)
	}
}

func pemOf(k *sm2.PrivateKey) ([]byte, error) { return ca.EncodeKeyPEM(k) }

func TestBidHelp(t *testing.T) {
	for _, args := range [][]string{{"bid"}, {"bid", "submit", "--help"}, {"bid", "decrypt", "--help"}, {"receipt"}, {"receipt", "verify", "--help"}} {
		code, out, errOut := runCmd(t, args...)
		if code != 0 || !han.MatchString(out) || errOut != "" {
			t.Errorf("ggzy %v: exit %d out %q err %q", args, code, out, errOut)
		}
	}
	if code, _, errOut := runCmd(t, "bid", "explode"); code != 1 || !strings.Contains(errOut, "未知子命令") {
		t.Errorf("bid explode: exit %d err %q", code, errOut)
	}
}

// FuzzReceiptVerify: whatever a receipt file holds, verification answers
// without panicking, and a receipt verifies only if it encodes to exactly
// the message that was signed — which is built here from the documented
// format ("ggzy/receipt/v1\n" + the receipt's JSON), independently of the
// service.
func FuzzReceiptVerify(f *testing.F) {
	key, err := ca.GenerateKey()
	if err != nil {
		f.Fatal(err)
	}
	r := bidding.Receipt{Version: 1, Seq: 7, Kind: "submit", LotID: 3, ProjectCode: "ZT530602-2026-0042", LotName: "第1标段",
		BidderID: 9, BidderName: "昭通第一建筑有限公司", CreditCode: "91530602000000001X", Digest: strings.Repeat("ab", 32),
		Size: 4096, ReceivedAt: time.Date(2026, 12, 1, 2, 3, 4, 5000, time.UTC), Deadline: time.Date(2026, 12, 28, 1, 30, 0, 0, time.UTC)}
	msg, _ := json.Marshal(r)
	sig, err := gm.Sign(key, append([]byte("ggzy/receipt/v1\n"), msg...))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(bidding.SignedReceipt{Receipt: r, Signature: sig})
	if err := bidding.VerifyReceipt(&key.PublicKey, bidding.SignedReceipt{Receipt: r, Signature: sig}); err != nil {
		f.Fatalf("a receipt signed as documented does not verify: %v", err)
	}
	f.Add(good)
	f.Add(bytes.Replace(good, []byte(`"seq":7`), []byte(`"seq":8`), 1))
	f.Add(bytes.Replace(good, []byte(`T02:03:04.000005Z`), []byte(`T10:03:04.000005+08:00`), 1))
	f.Add([]byte(`{"receipt":{"v":2},"signature":"AAAA"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var sr bidding.SignedReceipt
		if json.Unmarshal(b, &sr) != nil {
			return
		}
		if bidding.VerifyReceipt(&key.PublicKey, sr) != nil {
			return
		}
		if enc, _ := json.Marshal(sr.Receipt); !bytes.Equal(enc, msg) {
			t.Fatalf("a receipt other than the signed one verifies: %s", enc)
		}
	})
}

// FuzzDecodeWrapped: the wrapped key as the web page shows it (Base64)
// comes back byte for byte, also split over lines; anything else is
// refused or decoded without panicking.
func FuzzDecodeWrapped(f *testing.F) {
	f.Add([]byte{0x30, 0x81, 0x9a, 0x02}, "")
	f.Add([]byte("k"), "not base64 !")
	f.Fuzz(func(t *testing.T, key []byte, junk string) {
		decodeWrapped(junk)
		if len(key) == 0 {
			return
		}
		b64 := base64.StdEncoding.EncodeToString(key)
		if len(b64) > 8 {
			b64 = b64[:8] + "\n  " + b64[8:]
		}
		got, err := decodeWrapped(b64)
		if err != nil || !bytes.Equal(got, key) {
			t.Fatalf("decodeWrapped(%q) = %x, %v; want %x", b64, got, err, key)
		}
	})
}
