package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"ggzy/internal/bidding"
	"ggzy/internal/ca"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/sealed"
)

// The bidder's side of sealed bidding, run on the bidder's own computer
// against the platform's API with an API token: submit, look at, withdraw
// and decrypt a bid; and verify a receipt offline.

const bidUsage = `用法（在投标人自己的电脑上运行，通过 API 令牌访问平台）:
  ggzy bid submit   --server URL --token 令牌 --lot 标段 加密投标文件   递交（或替换）投标文件，回执存为 文件.receipt.json
  ggzy bid status   --server URL --token 令牌 --lot 标段                查看本单位投标文件、回执和开标状态
  ggzy bid withdraw --server URL --token 令牌 --lot 标段 [--out 回执]   投标截止前撤回投标文件，保存撤回回执
  ggzy bid decrypt  --server URL --token 令牌 --lot 标段 --key 私钥.pem [--print-key]
                                                                   开标后用本单位证书私钥解开内容密钥并提交解密
  ggzy bid decrypt  --wrapped 加密内容密钥 --key 私钥.pem            只在本机解开网页上显示的加密内容密钥，显示内容密钥
--server 与 --token 也可由环境变量 GGZY_SERVER、GGZY_TOKEN 给出（令牌不出现在命令行更安全）。`

const receiptUsage = `用法:
  ggzy receipt verify --key 平台公钥.pem 回执.json [--file 加密投标文件]
  ggzy receipt verify --server URL 回执.json [--file 加密投标文件]
离线核验平台回执的 SM2 签名；给出 --file 时再核对文件的 SM3 摘要与大小是否与回执一致。`

func runBid(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprintln(out, bidUsage)
		return errHelp
	}
	switch args[0] {
	case "submit":
		return runBidSubmit(ctx, args[1:], out)
	case "status":
		return runBidStatus(ctx, args[1:], out)
	case "withdraw":
		return runBidWithdraw(ctx, args[1:], out)
	case "decrypt":
		return runBidDecrypt(ctx, args[1:], out)
	}
	fmt.Fprintln(out, bidUsage)
	return fmt.Errorf("未知子命令 %q", args[0])
}

func runReceipt(ctx context.Context, args []string, out io.Writer) error {
	if err := subcommand(args, "verify", receiptUsage, out); err != nil {
		return err
	}
	return runReceiptVerify(ctx, args[1:], out)
}

// parseMixed parses flags that may come before or after the positional
// arguments (ggzy receipt verify R.json --file F), returning those.
func parseMixed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// apiFlags are the flags of every command that talks to the platform.
type apiFlags struct {
	server, token string
	lot           int64
}

func (f *apiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.server, "server", env("GGZY_SERVER", ""), "平台地址，如 https://ggzy.example.cn（环境变量 GGZY_SERVER）")
	fs.StringVar(&f.token, "token", env("GGZY_TOKEN", ""), "API 令牌（在工作台“API 令牌”页签发；环境变量 GGZY_TOKEN）")
	fs.Int64Var(&f.lot, "lot", 0, "标段编号（见平台“投标与开标”页）")
}

func (f apiFlags) client() (*apiClient, error) {
	var missing []string
	if f.server == "" {
		missing = append(missing, "--server")
	}
	if f.token == "" {
		missing = append(missing, "--token")
	}
	if f.lot <= 0 {
		missing = append(missing, "--lot")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("须给出 %s", strings.Join(missing, "、"))
	}
	return newAPIClient(f.server, f.token)
}

// apiClient calls the platform's JSON API with an API token.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

func newAPIClient(server, token string) (*apiClient, error) {
	u, err := url.Parse(strings.TrimRight(server, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q 不是有效的平台地址（应以 http:// 或 https:// 开头）", server)
	}
	// No overall timeout: a large bid takes as long as the line needs. The
	// platform answers within minutes once the body is sent.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 10 * time.Minute
	return &apiClient{base: u.String(), token: token, http: &http.Client{Transport: tr}}, nil
}

// call sends a request and decodes a JSON answer into out (if not nil).
// size is the body's length (-1: unknown).
func (c *apiClient) call(ctx context.Context, method, path string, body io.Reader, size int64, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if body != nil && size >= 0 {
		req.ContentLength = size
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("无法连接平台 %s：%w", c.base, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("读取平台应答失败：%w", err)
	}
	if resp.StatusCode >= 300 {
		return problemError(resp, b)
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = b
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("平台应答不是预期的 JSON：%w", err)
	}
	return nil
}

// problemError turns the platform's problem+json answer into a Chinese
// error with the field reasons.
func problemError(resp *http.Response, b []byte) error {
	var p struct {
		Detail string `json:"detail"`
		Rule   string `json:"rule"`
		Fields []struct {
			Field, Message string
		} `json:"fields"`
		RequestID string `json:"request_id"`
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "application/problem+json" || json.Unmarshal(b, &p) != nil || p.Detail == "" {
		return fmt.Errorf("平台返回 %s", resp.Status)
	}
	var sb strings.Builder
	sb.WriteString(p.Detail)
	for _, f := range p.Fields {
		if !strings.Contains(p.Detail, f.Message) {
			fmt.Fprintf(&sb, "\n  %s: %s", f.Field, f.Message)
		}
	}
	if resp.StatusCode == http.StatusUnauthorized {
		sb.WriteString("\n  （请检查 API 令牌是否正确、是否过期或已吊销）")
	}
	if p.RequestID != "" {
		fmt.Fprintf(&sb, "\n  （请求编号 %s）", p.RequestID)
	}
	return errors.New(sb.String())
}

func lotPath(lot int64, rest string) string {
	return "/api/v1/lots/" + strconv.FormatInt(lot, 10) + rest
}

// receiptKey fetches the platform's public key.
func (c *apiClient) receiptKey(ctx context.Context) (*ecdsa.PublicKey, error) {
	var pemKey []byte
	if err := c.call(ctx, "GET", "/api/v1/receipt-key", nil, -1, "", &pemKey); err != nil {
		return nil, err
	}
	pub, err := gm.ParsePublicKeyPEM(pemKey)
	if err != nil {
		return nil, fmt.Errorf("平台公钥无法解析：%w", err)
	}
	return pub, nil
}

// writeReceipt saves a receipt as indented JSON.
func writeReceipt(path string, sr bidding.SignedReceipt) ([]byte, error) {
	b, err := json.MarshalIndent(sr, "", "  ")
	if err != nil {
		return nil, err
	}
	b = append(b, '\n')
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return b, fmt.Errorf("回执保存失败（%s）：%w；请复制下面的回执内容妥善保存", path, err)
	}
	return b, nil
}

var receiptKinds = map[string]string{"submit": "递交", "replace": "替换", "withdraw": "撤回"}

func printReceipt(out io.Writer, sr bidding.SignedReceipt) {
	r := sr.Receipt
	fmt.Fprintf(out, "  回执编号：%d（%s）\n  项目：%s · %s（标段 %d）\n  投标人：%s（%s）\n  %s：%s（%d 字节）\n  平台收到时间：%s\n  投标截止时间：%s\n",
		r.Seq, receiptKinds[r.Kind], r.ProjectCode, r.LotName, r.LotID, r.BidderName, r.CreditCode, digestName(r.Version), r.Digest, r.Size,
		clock.Format(r.ReceivedAt), clock.Format(r.Deadline))
}

// digestName names what a receipt's digest is, by its version.
func digestName(version int) string {
	if version == 1 {
		return "文件 SM3"
	}
	return "投标文件摘要（SM3，见 ggzy seal）"
}

// receiptDigestOf is the digest and size a receipt of the given version
// names for the file at path, read as a stream (bidding.ReceiptDigest).
func receiptDigestOf(version int, path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	return bidding.ReceiptDigest(version, f)
}

func runBidSubmit(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("bid submit", "递交（或替换）加密投标文件；回执保存为 文件.receipt.json", out)
	var af apiFlags
	af.register(fs)
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("请给出一个加密投标文件（ggzy seal 生成）")
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	path := pos[0]
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("无法打开加密投标文件：%w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%s 不是普通文件", path)
	}
	// The file streams as the request body; its digests are computed on
	// the way so the receipt can be checked against what was sent: the
	// container digest (receipts of version 2), and the SM3 of the file
	// for a platform that still issues version 1.
	h := sm3.New()
	pr, pw := io.Pipe()
	type digest struct {
		d   []byte
		err error
	}
	done := make(chan digest, 1)
	go func() {
		d, _, err := sealed.ContainerDigestOf(pr)
		io.Copy(io.Discard, pr)
		done <- digest{d, err}
	}()
	var sr bidding.SignedReceipt
	err = c.call(ctx, "PUT", lotPath(af.lot, "/bid"), io.TeeReader(f, io.MultiWriter(h, pw)), fi.Size(), "application/octet-stream", &sr)
	pw.Close()
	cd := <-done
	if err != nil {
		return fmt.Errorf("递交失败：%w", err)
	}
	sent := hex.EncodeToString(cd.d)
	if sr.Receipt.Version == 1 {
		sent = hex.EncodeToString(h.Sum(nil))
	}
	pub, err := c.receiptKey(ctx)
	if err != nil {
		return fmt.Errorf("投标文件已递交，但无法取得平台公钥核验回执：%w", err)
	}
	if err := bidding.VerifyReceipt(pub, sr); err != nil {
		return fmt.Errorf("平台返回的回执无法核验：%w", err)
	}
	if sr.Receipt.Digest != sent || sr.Receipt.Size != fi.Size() {
		return fmt.Errorf("回执的摘要（%s，%d 字节）与发送的文件（%s，%d 字节）不一致，请重新递交", sr.Receipt.Digest, sr.Receipt.Size, sent, fi.Size())
	}
	b, err := writeReceipt(path+".receipt.json", sr)
	fmt.Fprintf(out, "投标文件已递交，平台回执签名有效：\n")
	printReceipt(out, sr)
	if err != nil {
		fmt.Fprintf(out, "%s", b)
		return err
	}
	fmt.Fprintf(out, "回执已保存：%s\n%s", path+".receipt.json", b)
	return nil
}

func runBidStatus(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("bid status", "查看本单位在标段的投标文件、回执和开标状态", out)
	var af apiFlags
	af.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	var h bidding.Hall
	if err := c.call(ctx, "GET", lotPath(af.lot, "/opening"), nil, -1, "", &h); err != nil {
		return err
	}
	var m bidding.MyBid
	if err := c.call(ctx, "GET", lotPath(af.lot, "/bid"), nil, -1, "", &m); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %s · %s（标段 %d）\n服务器时间：%s\n投标截止时间：%s\n开标状态：%s\n", h.ProjectCode, h.ProjectName, h.LotName,
		h.LotID, clock.Format(h.ServerTime), clock.Format(h.Deadline), h.StateText)
	if h.State == bidding.Decrypting {
		fmt.Fprintf(out, "解密截止时间：%s\n", clock.Format(h.WindowEndsAt))
	}
	if !m.Active {
		fmt.Fprintln(out, "本单位在该标段没有有效的投标文件")
		return nil
	}
	fmt.Fprintf(out, "本单位投标文件：SM3 %s（%d 字节），收到于 %s\n", m.Digest, m.Size, clock.Format(m.ReceivedAt))
	if m.Receipt != nil {
		fmt.Fprintf(out, "回执编号：%d（%s）\n", m.Receipt.Receipt.Seq, receiptKinds[m.Receipt.Receipt.Kind])
	}
	if m.Status != "" {
		fmt.Fprintf(out, "解密状态：%s", m.StatusText)
		if m.Cause != "" {
			fmt.Fprintf(out, "（%s）", m.Cause.Label())
		}
		fmt.Fprintf(out, "，已尝试 %d 次\n", m.Attempts)
	}
	return nil
}

func runBidWithdraw(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("bid withdraw", "投标截止前撤回本单位的投标文件，保存平台签名的撤回回执", out)
	var af apiFlags
	af.register(fs)
	save := fs.String("out", "", "撤回回执保存路径（缺省为当前目录下 withdraw-标段-回执编号.json）")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	var sr bidding.SignedReceipt
	if err := c.call(ctx, "DELETE", lotPath(af.lot, "/bid"), nil, -1, "", &sr); err != nil {
		return fmt.Errorf("撤回失败：%w", err)
	}
	path := *save
	if path == "" {
		path = fmt.Sprintf("withdraw-%d-%d.json", af.lot, sr.Receipt.Seq)
	}
	b, err := writeReceipt(path, sr)
	fmt.Fprintln(out, "投标文件已撤回，撤回回执：")
	printReceipt(out, sr)
	if err != nil {
		fmt.Fprintf(out, "%s", b)
		return err
	}
	fmt.Fprintf(out, "撤回回执已保存：%s（平台不能再次下载，请妥善保管）\n%s", path, b)
	return nil
}

// decodeWrapped reads a wrapped content key as the web page and the API
// show it (Base64), ignoring line breaks and spaces from copying.
func decodeWrapped(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil || len(b) == 0 {
		return nil, errors.New("--wrapped 应为网页上显示的加密内容密钥（Base64）")
	}
	return b, nil
}

func runBidDecrypt(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("bid decrypt", "开标后用本单位证书的私钥解开内容密钥并提交平台解密（私钥不离开本机）", out)
	var af apiFlags
	af.register(fs)
	keyPath := fs.String("key", "", "本单位证书的 SM2 私钥文件（PEM，封装投标文件时所用证书的私钥；必填）")
	printKey := fs.Bool("print-key", false, "只显示内容密钥（32 位十六进制），用于粘贴到网页，不提交")
	wrapped := fs.String("wrapped", "", "网页上显示的加密内容密钥（Base64）；给出时只在本机解开并显示内容密钥，不连接平台")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *keyPath == "" {
		return errors.New("须给出 --key（本单位证书的私钥文件）")
	}
	kb, err := os.ReadFile(*keyPath)
	if err != nil {
		return fmt.Errorf("无法读取私钥文件：%w", err)
	}
	key, err := ca.ParseKeyPEM(kb)
	clear(kb)
	if err != nil {
		return fmt.Errorf("私钥文件无法解析：%w", err)
	}
	var c *apiClient
	var w []byte
	if *wrapped != "" {
		if w, err = decodeWrapped(*wrapped); err != nil {
			return err
		}
		*printKey = true
	} else {
		if c, err = af.client(); err != nil {
			return err
		}
		var m bidding.MyBid
		if err := c.call(ctx, "GET", lotPath(af.lot, "/bid"), nil, -1, "", &m); err != nil {
			return err
		}
		switch {
		case !m.Active:
			return errors.New("本单位在该标段没有投标文件")
		case m.Status == "":
			return errors.New("该标段尚未开标，开标后才能解密")
		case m.Status != bidding.Pending:
			return fmt.Errorf("投标文件已处理：%s", m.StatusText)
		case len(m.WrappedKey) == 0:
			return errors.New("平台未返回加密内容密钥")
		}
		w = m.WrappedKey
	}
	ck, err := sealed.UnwrapKey(sealed.Envelope{WrappedKey: w}, key)
	if err != nil {
		return errors.New("无法用此私钥解开内容密钥：请确认使用的是封装投标文件时所用证书的私钥")
	}
	defer clear(ck)
	if *printKey {
		fmt.Fprintln(out, hex.EncodeToString(ck))
		return nil
	}
	body, _ := json.Marshal(map[string]string{"content_key": hex.EncodeToString(ck)})
	var o bidding.Opened
	if err := c.call(ctx, "POST", lotPath(af.lot, "/bid/decrypt"), bytes.NewReader(body), int64(len(body)), "application/json", &o); err != nil {
		return fmt.Errorf("解密失败：%w", err)
	}
	fmt.Fprintf(out, "解密成功：%s\n  投标报价：%s 元\n  工期：%d 日历天\n  质量承诺：%s\n  项目负责人：%s\n", o.StatusText,
		o.Price.Yuan(), o.DurationDays, o.Quality, o.Manager)
	return nil
}

// errMessage is the Chinese message of an *errs.Error, or the error text.
func errMessage(err error) string {
	return describe(err).Error()
}

func runReceiptVerify(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("receipt verify", "离线核验平台回执的签名（及投标文件的摘要）", out)
	keyPath := fs.String("key", "", "平台公钥文件（PEM，取自 /api/v1/receipt-key，宜从可信渠道获得）")
	server := fs.String("server", env("GGZY_SERVER", ""), "或从此平台地址取公钥（环境变量 GGZY_SERVER）")
	file := fs.String("file", "", "加密投标文件：核对其摘要（ggzy seal 显示的投标文件摘要）与大小是否与回执一致")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("请给出一个回执文件（JSON）")
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("无法读取回执：%w", err)
	}
	var sr bidding.SignedReceipt
	if err := json.Unmarshal(b, &sr); err != nil || len(sr.Signature) == 0 {
		return errors.New("回执文件格式不对：应为平台返回的回执 JSON（含 receipt 与 signature）")
	}
	var pub *ecdsa.PublicKey
	// A key file from a trusted channel is the stronger check; it wins
	// over a server named only by the environment.
	if *keyPath != "" && flagSet(fs, "server") {
		return errors.New("--key 与 --server 只能给出其一")
	}
	switch {
	case *keyPath != "":
		pb, err := os.ReadFile(*keyPath)
		if err != nil {
			return fmt.Errorf("无法读取平台公钥：%w", err)
		}
		if pub, err = gm.ParsePublicKeyPEM(pb); err != nil {
			return fmt.Errorf("平台公钥无法解析：%w", err)
		}
	case *server != "":
		c, err := newAPIClient(*server, "")
		if err != nil {
			return err
		}
		if pub, err = c.receiptKey(ctx); err != nil {
			return err
		}
	default:
		return errors.New("须给出 --key（平台公钥文件）或 --server（平台地址）")
	}
	if err := bidding.VerifyReceipt(pub, sr); err != nil {
		return errors.New(errMessage(err))
	}
	fmt.Fprintln(out, "回执签名有效：")
	printReceipt(out, sr)
	if *file != "" {
		sum, size, err := receiptDigestOf(sr.Receipt.Version, *file)
		if err != nil {
			return fmt.Errorf("文件与回执不符：无法计算投标文件的摘要：%s", errMessage(err))
		}
		if sum != sr.Receipt.Digest || size != sr.Receipt.Size {
			return fmt.Errorf("文件与回执不符：文件的%s为 %s（%d 字节），回执记载 %s（%d 字节）", digestName(sr.Receipt.Version), sum, size,
				sr.Receipt.Digest, sr.Receipt.Size)
		}
		fmt.Fprintf(out, "文件 %s 与回执一致（%s %s）\n", *file, digestName(sr.Receipt.Version), sum)
	}
	return nil
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
