package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/ca"
)

// addBidder registers and approves a bidder organisation directly through
// the services (there is no command for it: bidders register online).
func addBidder(t *testing.T, s site, name, credit string) {
	t.Helper()
	ctx := context.Background()
	a, err := open(ctx, storage{db: s.url, data: s.data}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	org, _, err := a.auth.Register(ctx, auth.Public("127.0.0.1"), auth.Registration{OrgName: name, Kind: auth.KindBidder,
		CreditCode: credit, CentreCode: "530600", LegalRep: "法人", ContactName: "联系人", ContactPhone: "13600000000",
		Username: "bidder", DisplayName: "投标员", IDNumber: idNumber(t, "53060219900101001"), Phone: "13500000000",
		Password: "Bidder-pass-2026"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.auth.DecideOrg(ctx, auth.System, org.ID, auth.Decision{Approve: true}); err != nil {
		t.Fatal(err)
	}
}

// TestCertCommands: cert issue writes a key (0600) and a certificate bound
// to the organisation, cert list shows it, cert revoke revokes it, and the
// trail still verifies.
func TestCertCommands(t *testing.T) {
	for name, mk := range sites(t) {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			setUp(t, s)
			credit := creditCode(t, "91530600MA6K00001")
			addBidder(t, s, "昭通测试建设有限公司", credit)
			out := filepath.Join(t.TempDir(), "bidder")

			code, stdout, errOut := runCmd(t, s.args("cert", "issue", "--org", credit, "--out", out)...)
			if code != 0 || !strings.Contains(stdout, "已为昭通测试建设有限公司签发并绑定证书") {
				t.Fatalf("cert issue: exit %d out %q err %q", code, stdout, errOut)
			}
			st, err := os.Stat(filepath.Join(out, "key.pem"))
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key.pem: %v %v", st, err)
			}
			certPEM, _ := os.ReadFile(filepath.Join(out, "cert.pem"))
			keyPEM, _ := os.ReadFile(filepath.Join(out, "key.pem"))
			cert, err := ca.ParseCertPEM(certPEM)
			if err != nil {
				t.Fatal(err)
			}
			key, err := ca.ParseKeyPEM(keyPEM)
			if err != nil || !key.PublicKey.Equal(cert.PublicKey) {
				t.Fatalf("key does not match the certificate: %v", err)
			}
			if cert.Subject.SerialNumber != credit {
				t.Errorf("subject %s", cert.Subject.String())
			}
			// The built-in CA lives next to the platform keys; it signed it.
			caPEM, err := os.ReadFile(filepath.Join(s.data, "keys", ca.CertFile))
			if err != nil {
				t.Fatal(err)
			}
			root, _ := ca.ParseCertPEM(caPEM)
			if err := cert.CheckSignatureFrom(root); err != nil {
				t.Fatalf("not signed by DATA/keys/ca.pem: %v", err)
			}

			// Issuing again into the same folder is refused before anything is bound.
			code, _, errOut = runCmd(t, s.args("cert", "issue", "--org", credit, "--out", out)...)
			if code != 1 || !strings.Contains(errOut, "已存在") {
				t.Fatalf("second issue into the same folder: exit %d err %q", code, errOut)
			}
			code, _, errOut = runCmd(t, s.args("cert", "issue", "--org", "91530600MA6K00000X", "--out", t.TempDir())...)
			if code != 1 || !strings.Contains(errOut, "没有统一社会信用代码") {
				t.Fatalf("unknown organisation: exit %d err %q", code, errOut)
			}

			fp := ca.Fingerprint(cert)
			code, stdout, _ = runCmd(t, s.args("cert", "list", "--org", credit)...)
			if code != 0 || !strings.Contains(stdout, fp) || !strings.Contains(stdout, "有效") || !strings.Contains(stdout, "共 1 张证书") {
				t.Fatalf("cert list: exit %d out %q", code, stdout)
			}
			code, _, errOut = runCmd(t, s.args("cert", "revoke", "--fingerprint", fp)...)
			if code != 1 || !strings.Contains(errOut, "--reason") {
				t.Fatalf("revoke without reason: exit %d err %q", code, errOut)
			}
			code, stdout, errOut = runCmd(t, s.args("cert", "revoke", "--fingerprint", fp, "--reason", "演示结束")...)
			if code != 0 || !strings.Contains(stdout, "已吊销") {
				t.Fatalf("cert revoke: exit %d out %q err %q", code, stdout, errOut)
			}
			_, stdout, _ = runCmd(t, s.args("cert", "list")...)
			if !strings.Contains(stdout, "已吊销") {
				t.Fatalf("list after revoke: %q", stdout)
			}
			if code, out := verify(t, s); code != 0 || !strings.Contains(out, "校验通过") {
				t.Fatalf("audit verify after the cert commands: exit %d\n%s", code, out)
			}
		})
	}
}

func TestCertSubcommands(t *testing.T) {
	for _, args := range [][]string{{"cert"}, {"cert", "--help"}, {"cert", "issue", "--help"}, {"cert", "list", "-h"}, {"cert", "revoke", "--help"}} {
		code, out, errOut := runCmd(t, args...)
		if code != 0 || !han.MatchString(out) || errOut != "" {
			t.Errorf("ggzy %v: exit %d, out %q, err %q", args, code, out, errOut)
		}
	}
	code, _, errOut := runCmd(t, "cert", "explode")
	if code != 1 || !strings.Contains(errOut, "未知子命令") {
		t.Errorf("cert explode: exit %d err %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "cert", "revoke", "--reason", "x")
	if code != 1 || !strings.Contains(errOut, "--fingerprint") {
		t.Errorf("revoke without a certificate: exit %d err %q", code, errOut)
	}
	if _, err := os.Stat("ggzy-data"); err == nil {
		t.Error("help created ./ggzy-data")
	}
}
