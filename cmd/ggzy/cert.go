package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"ggzy/internal/auth"
	"ggzy/internal/ca"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
)

const certUsage = `用法:
  ggzy cert issue  --org 统一社会信用代码 --out 目录 [--days 天数]   由平台内置 CA 为投标人生成密钥并签发、绑定证书
  ggzy cert list   [--org 统一社会信用代码]                         列出已绑定的证书及其状态
  ggzy cert revoke --fingerprint 指纹 --reason 原因                  吊销证书`

// runCert is the certificate tool run on the server (like user create): it
// works on the server's database and data directory as the system actor,
// and every change lands in the audit trail.
func runCert(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprintln(out, certUsage)
		return errHelp
	}
	switch args[0] {
	case "issue":
		return runCertIssue(ctx, args[1:], out)
	case "list":
		return runCertList(ctx, args[1:], out)
	case "revoke":
		return runCertRevoke(ctx, args[1:], out)
	}
	fmt.Fprintln(out, certUsage)
	return fmt.Errorf("未知子命令 %q", args[0])
}

func runCertIssue(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("cert issue", "为投标人单位生成 SM2 密钥、由平台内置 CA 签发证书并绑定到该单位（演示、测试或未接入外部 CA 时使用）", out)
	var st storage
	st.register(fs)
	org := fs.String("org", "", "投标人单位的统一社会信用代码（必填）")
	dir := fs.String("out", "", "写出 cert.pem 与 key.pem（私钥，权限 0600）的目录（必填）")
	days := fs.Int("days", 0, "有效期天数（缺省两年）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *org == "" || *dir == "" {
		return errors.New("--org 与 --out 都须给出")
	}
	// Refuse before issuing, so a certificate is never bound without its key
	// having been written.
	for _, name := range []string{"cert.pem", "key.pem"} {
		if _, err := os.Stat(filepath.Join(*dir, name)); err == nil {
			return fmt.Errorf("%s 已存在，不覆盖；请换一个 --out 目录", filepath.Join(*dir, name))
		}
	}
	a, err := open(ctx, st, newLogger("text"))
	if err != nil {
		return err
	}
	defer a.close()
	key, err := ca.GenerateKey()
	if err != nil {
		return err
	}
	pub, err := gm.MarshalPublicKeyPEM(&key.PublicKey)
	if err != nil {
		return err
	}
	c, err := a.ca.Issue(ctx, auth.System, ca.NewCert{CreditCode: *org, PublicKey: string(pub), Days: *days})
	if err != nil {
		return describe(err)
	}
	cert, err := ca.ParseCertPEM([]byte(c.PEM))
	if err != nil {
		return err
	}
	certPath, keyPath, err := ca.WriteFiles(*dir, cert, key)
	if err != nil {
		return fmt.Errorf("证书已签发并绑定（编号 %d），但写文件失败：%w；请用 ggzy cert revoke 吊销后重新签发", c.ID, err)
	}
	fmt.Fprintf(out, "已为%s签发并绑定证书（编号 %d）\n  指纹（SM3）：%s\n  有效期：%s 至 %s\n  证书：%s\n  私钥：%s（仅本人可读，请妥善保管，勿上传）\n",
		c.OrgName, c.ID, c.Fingerprint, clock.Format(c.NotBefore), clock.Format(c.NotAfter), certPath, keyPath)
	return nil
}

func runCertList(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("cert list", "列出已绑定的数字证书及其状态", out)
	var st storage
	st.register(fs)
	org := fs.String("org", "", "只列出此统一社会信用代码的单位")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := open(ctx, st, newLogger("text"))
	if err != nil {
		return err
	}
	defer a.close()
	f := ca.Filter{Limit: 200}
	if *org != "" {
		id, err := orgIDByCreditCode(ctx, a, *org)
		if err != nil {
			return err
		}
		f.OrgID = id
	}
	n := 0
	for {
		cs, total, err := a.ca.List(ctx, auth.System, f)
		if err != nil {
			return describe(err)
		}
		for _, c := range cs {
			fmt.Fprintf(out, "%d\t%s\t%s\t%s\t%s 至 %s\t%s\n", c.ID, c.CreditCode, c.OrgName, c.Fingerprint,
				clock.Format(c.NotBefore), clock.Format(c.NotAfter), c.StateLabel)
		}
		n += len(cs)
		f.Offset += len(cs)
		if len(cs) == 0 || f.Offset >= total {
			break
		}
	}
	fmt.Fprintf(out, "共 %d 张证书\n", n)
	return nil
}

func runCertRevoke(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("cert revoke", "吊销数字证书（写入审计日志；吊销后不能再用于投标和解密，也不能重新绑定）", out)
	var st storage
	st.register(fs)
	fp := fs.String("fingerprint", "", "证书指纹（SM3，十六进制；见 ggzy cert list）")
	id := fs.Int64("id", 0, "或证书编号")
	reason := fs.String("reason", "", "吊销原因（必填）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*fp == "") == (*id == 0) {
		return errors.New("请给出 --fingerprint 或 --id 之一")
	}
	a, err := open(ctx, st, newLogger("text"))
	if err != nil {
		return err
	}
	defer a.close()
	if *fp != "" {
		cs, _, err := a.ca.List(ctx, auth.System, ca.Filter{Fingerprint: *fp, Limit: 1})
		if err != nil {
			return describe(err)
		}
		if len(cs) == 0 {
			return fmt.Errorf("没有指纹为 %s 的证书", *fp)
		}
		*id = cs[0].ID
	}
	c, err := a.ca.Revoke(ctx, auth.System, *id, *reason)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(out, "已吊销%s的证书 %s（编号 %s）\n", c.OrgName, c.Fingerprint, strconv.FormatInt(c.ID, 10))
	return nil
}

// orgIDByCreditCode finds an organisation by its credit code.
func orgIDByCreditCode(ctx context.Context, a *app, code string) (int64, error) {
	orgs, _, err := a.auth.ListOrgs(ctx, auth.System, auth.OrgFilter{Query: code, Limit: 2})
	if err != nil {
		return 0, describe(err)
	}
	for _, o := range orgs {
		if o.CreditCode == code {
			return o.ID, nil
		}
	}
	return 0, fmt.Errorf("没有统一社会信用代码为 %s 的单位", code)
}
