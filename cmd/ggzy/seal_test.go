package main

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/ca"
	"ggzy/internal/sealed"
)

// bidderFiles writes a self-signed SM2 certificate and its key as PEM files
// (the formats internal/ca issues) and returns their paths and the key.
func bidderFiles(t *testing.T, org string) (certPath, keyPath string, key *sm2.PrivateKey) {
	t.Helper()
	key, err := ca.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: org, Organization: []string{org}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := ca.EncodeKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certPath, ca.EncodeCertPEM(cert), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath, key
}

func writeSealFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const bidJSON = `{"price": 12345678900, "duration_days": 365, "quality": "合格", "manager": "张工",
  "manager_cert": "云153202100001", "extra": {"安全文明施工费": "按规定计取"}}`

func TestSealAndInspect(t *testing.T) {
	certPath, keyPath, key := bidderFiles(t, "昭通市某某建设有限公司")
	work := t.TempDir()
	docs := filepath.Join(work, "投标文件")
	writeSealFile(t, filepath.Join(docs, "商务标", "报价清单.xlsx"), "报价")
	writeSealFile(t, filepath.Join(docs, "技术标.pdf"), strings.Repeat("施工组织设计", 1000))
	form := writeSealFile(t, filepath.Join(work, "bid.json"), bidJSON)
	out := filepath.Join(work, "标段7.gbid")

	// Flags after the folder work too.
	code, stdout, errOut := runCmd(t, "seal", docs, "--cert", certPath, "--key", keyPath, "--form", form, "--lot", "7",
		"--out", out, "--chunk-size", "4096")
	if code != 0 {
		t.Fatalf("seal: exit %d out %q err %q", code, stdout, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// The digest a receipt names: the container digest of the file.
	cd, _, err := sealed.ContainerDigestOf(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	digest := hex.EncodeToString(cd)
	for _, want := range []string{"标段：7", "投标报价：123,456,789.00 元（12345678900 分）", "投标文件：2 个",
		"投标文件摘要（SM3，平台回执记载此值）：" + digest, "加密文件：" + group(int64(len(data))) + " 字节"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("seal output lacks %q:\n%s", want, stdout)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(work, ".ggzy-seal-*")); len(matches) != 0 {
		t.Fatalf("temporary files left: %v", matches)
	}

	code, stdout, errOut = runCmd(t, "seal", "inspect", out)
	if code != 0 {
		t.Fatalf("inspect: exit %d out %q err %q", code, stdout, errOut)
	}
	for _, want := range []string{"格式版本：1", "标段：7", "证书主体：CN=昭通市某某建设有限公司", "投标文件摘要（SM3，平台回执记载此值）：" + digest,
		"每块 4096 字节", "校验通过"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, stdout)
		}
	}
	if !regexp.MustCompile(`证书 SM3 指纹：[0-9a-f]{64}\n`).MatchString(stdout) ||
		!regexp.MustCompile(`机器特征码：[0-9a-f]{64}\n`).MatchString(stdout) {
		t.Errorf("inspect output lacks the fingerprints:\n%s", stdout)
	}

	// What the tool sealed opens to the form and the files.
	env, err := sealed.Inspect(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	k, err := sealed.UnwrapKey(env, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sealed.Open(bytes.NewReader(data), k, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Form.LotID != 7 || c.Form.Price != 12345678900 || len(c.Files) != 2 || c.Files[0].Name != "商务标/报价清单.xlsx" {
		t.Fatalf("opened %+v", c)
	}

	// A damaged copy, and a plain file, are refused by inspect (RULES B4).
	bad := filepath.Join(work, "bad.gbid")
	data[len(data)/2] ^= 1
	os.WriteFile(bad, data, 0o644)
	plain := writeSealFile(t, filepath.Join(work, "明文.pdf"), "%PDF-1.7 未加密的投标文件")
	for file, want := range map[string]string{bad: "不是有效的加密投标文件：密文摘要与签名不符", plain: "未加密",
		filepath.Join(work, "none"): "打开加密投标文件"} {
		code, _, errOut := runCmd(t, "seal", "inspect", file)
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("inspect %s: exit %d err %q", filepath.Base(file), code, errOut)
		}
	}
}

func TestSealRefuses(t *testing.T) {
	certPath, keyPath, _ := bidderFiles(t, "投标人甲")
	otherCert, _, _ := bidderFiles(t, "投标人乙")
	work := t.TempDir()
	docs := filepath.Join(work, "docs")
	os.MkdirAll(docs, 0o755)
	form := writeSealFile(t, filepath.Join(work, "bid.json"), bidJSON)
	withLot := writeSealFile(t, filepath.Join(work, "bid7.json"), strings.Replace(bidJSON, "{", `{"lot_id": 7,`, 1))
	typo := writeSealFile(t, filepath.Join(work, "typo.json"), strings.Replace(bidJSON, `"price"`, `"prise"`, 1))
	zero := writeSealFile(t, filepath.Join(work, "zero.json"), strings.Replace(bidJSON, `12345678900`, `0`, 1))
	exists := writeSealFile(t, filepath.Join(work, "exists.gbid"), "")
	out := filepath.Join(work, "out.gbid")
	args := func(extra ...string) []string {
		return append([]string{"seal", "--cert", certPath, "--key", keyPath}, extra...)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no lot", args("--form", form, "--out", out, docs), "--lot"},
		{"lot mismatch", args("--form", withLot, "--lot", "8", "--out", out, docs), "--lot 8 与投标函中的 lot_id 7 不一致"},
		{"unknown field", args("--form", typo, "--lot", "7", "--out", out, docs), `未知字段 "prise"`},
		{"invalid form", args("--form", zero, "--lot", "7", "--out", out, docs), "price：投标报价须大于零"},
		{"existing output", args("--form", form, "--lot", "7", "--out", exists, docs), "已存在"},
		{"output inside the folder", args("--form", form, "--lot", "7", "--out", filepath.Join(docs, "x.gbid"), docs), "不能放在投标文件夹里面"},
		{"no folder", args("--form", form, "--lot", "7", "--out", out), "投标文件夹"},
		{"two folders", args("--form", form, "--lot", "7", "--out", out, docs, docs), "投标文件夹"},
		{"missing folder", args("--form", form, "--lot", "7", "--out", out, filepath.Join(work, "nope")), "无法打开投标文件夹"},
		{"no form", args("--lot", "7", "--out", out, docs), "--form"},
		{"key of another certificate", []string{"seal", "--cert", otherCert, "--key", keyPath, "--form", form, "--lot", "7", "--out", out, docs}, "私钥与证书不匹配"},
		{"key as certificate", []string{"seal", "--cert", keyPath, "--key", keyPath, "--form", form, "--lot", "7", "--out", out, docs}, "不是 PEM 格式的证书"},
		{"bad chunk size", args("--form", form, "--lot", "7", "--out", out, "--chunk-size", "10", docs), "分块大小"},
	}
	for _, tc := range cases {
		code, _, errOut := runCmd(t, tc.args...)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d err %q", tc.name, code, errOut)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a refused seal left an output file")
	}
	if got, _ := os.ReadFile(exists); len(got) != 0 {
		t.Fatal("an existing file was overwritten")
	}
	// The lot may come from the form alone; an empty folder is a bid of the form alone.
	if code, stdout, errOut := runCmd(t, args("--form", withLot, "--out", out, docs)...); code != 0 || !strings.Contains(stdout, "投标文件：0 个") {
		t.Fatalf("form-only bid: exit %d out %q err %q", code, stdout, errOut)
	}
}

func TestSealHelp(t *testing.T) {
	for _, args := range [][]string{{"seal"}, {"seal", "--help"}, {"seal", "inspect", "--help"}} {
		code, out, errOut := runCmd(t, args...)
		if code != 0 || !han.MatchString(out) || errOut != "" {
			t.Errorf("ggzy %v: exit %d out %q err %q", args, code, out, errOut)
		}
	}
	_, out, _ := runCmd(t, "seal", "--help")
	for _, flag := range []string{"-cert", "-key", "-form", "-lot", "-out", "-chunk-size", "seal inspect"} {
		if !strings.Contains(out, flag) {
			t.Errorf("seal help lacks %s", flag)
		}
	}
	if code, _, errOut := runCmd(t, "seal", "inspect"); code != 1 || !strings.Contains(errOut, "须给出一个加密投标文件") {
		t.Errorf("inspect without a file: exit %d err %q", code, errOut)
	}
}
