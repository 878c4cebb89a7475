package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("migrate", "把数据库结构升级到最新版本", out)
	var st storage
	st.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := open(ctx, st, newLogger("text"))
	if err != nil {
		return err
	}
	defer a.close()
	v, err := a.db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "数据库（%s）结构版本：%d\n", a.db.Dialect(), v)
	return nil
}

func runAudit(ctx context.Context, args []string, out io.Writer) error {
	if err := subcommand(args, "verify", "用法: ggzy audit verify [--db URL] [--key 验证公钥]", out); err != nil {
		return err
	}
	fs := newFlags("audit verify", "重算全部审计事件的哈希链、默克尔树与签名检查点；有任何篡改则以非零状态退出", out)
	var st storage
	st.register(fs)
	key := fs.String("key", "", "可信的检查点验证公钥（缺省取数据目录中的平台公钥，其次取数据库登记的公钥）")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	// Verification only reads: it must not create, migrate or key a
	// database, or a wrong --db would "verify" an empty new one.
	d, err := openExisting(ctx, st.db)
	if err != nil {
		return err
	}
	defer d.Close()
	vkey := *key
	if vkey == "" {
		if vkey, err = trustedKey(ctx, st.data, d, out); err != nil {
			return err
		}
	}
	rep, err := audit.Verify(ctx, d, vkey)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "审计事件 %d 条，签名检查点 %d 个\n", rep.Events, rep.Checkpoints)
	if rep.Events == 0 {
		return errors.New("审计日志为空：请确认 --db 指向正在使用的数据库")
	}
	if !rep.OK {
		return fmt.Errorf("校验失败：第一个问题在事件 #%d：%s", rep.FirstBad, rep.Problem)
	}
	fmt.Fprintln(out, "校验通过：哈希链、默克尔树与全部检查点签名均完好")
	return nil
}

func runUser(ctx context.Context, args []string, out io.Writer) error {
	if err := subcommand(args, "create", "用法: ggzy user create --username U --name 姓名 --role admin|staff|supervisor --centre 行政区划代码 …", out); err != nil {
		return err
	}
	fs := newFlags("user create", "在服务器上建立管理员或交易中心工作人员账户（写入审计日志）", out)
	var st storage
	st.register(fs)
	username := fs.String("username", "", "用户名（必填）")
	name := fs.String("name", "", "姓名（必填）")
	role := fs.String("role", "staff", "角色：admin 或 staff")
	centreCode := fs.String("centre", "", "所属交易中心的行政区划代码（必填），例如 530600")
	idNumber := fs.String("id-number", "", "身份证号（必填）")
	phone := fs.String("phone", "", "手机号（必填）")
	password := fs.String("password", env("GGZY_PASSWORD", ""), "初始密码（或环境变量 GGZY_PASSWORD，避免留在命令历史中）")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	r := auth.Role(*role)
	if r != auth.Admin && r != auth.Staff {
		return errors.New("--role 只能是 admin 或 staff；其他角色的用户请在平台中由管理员为其单位添加")
	}
	a, err := open(ctx, st, newLogger("text"))
	if err != nil {
		return err
	}
	defer a.close()
	c, err := centre.ByCode(ctx, a.db, *centreCode)
	if err != nil {
		return describe(err)
	}
	orgID, err := a.auth.CentreOrg(ctx, c.ID)
	if err != nil {
		return describe(err)
	}
	u, err := a.auth.CreateUser(ctx, auth.System, auth.NewUser{OrgID: orgID, Username: *username, DisplayName: *name,
		Role: r, IDNumber: *idNumber, Phone: *phone, Password: *password})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(out, "已建立%s账户 %s（%s，%s）\n", r.Label(), u.Username, u.DisplayName, c.Name)
	return nil
}

func runCentre(ctx context.Context, args []string, out io.Writer) error {
	if err := subcommand(args, "create", "用法: ggzy centre create --code 530000 --region 云南省 --name 云南省公共资源交易中心 --credit-code … ", out); err != nil {
		return err
	}
	fs := newFlags("centre create", "建立交易中心及其单位（上级行政区划的中心须已存在）", out)
	var st storage
	st.register(fs)
	var n auth.NewCentre
	fs.StringVar(&n.RegionCode, "code", "", "GB/T 2260 行政区划代码（必填）")
	fs.StringVar(&n.RegionName, "region", "", "行政区划名称（必填），例如 昭通市")
	fs.StringVar(&n.Name, "name", "", "中心名称（必填）")
	fs.StringVar(&n.CreditCode, "credit-code", "", "中心的统一社会信用代码（必填）")
	fs.StringVar(&n.LegalRep, "legal-rep", "", "负责人（必填）")
	fs.StringVar(&n.ContactName, "contact", "", "联系人（必填）")
	fs.StringVar(&n.ContactPhone, "phone", "", "联系手机（必填）")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := open(ctx, st, newLogger("text"))
	if err != nil {
		return err
	}
	defer a.close()
	c, _, err := a.auth.CreateCentre(ctx, auth.System, n)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(out, "已建立%s（%s，%s）\n", c.Name, c.RegionCode, c.Level.Label())
	return nil
}

// describe spells out field errors for the terminal.
func describe(err error) error {
	e := errs.As(err)
	if e.Code == errs.Internal {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  --%s: %s", strings.ReplaceAll(f.Field, "_", "-"), f.Message)
	}
	return errors.New(b.String())
}

// openExisting opens a database that must already exist, without migrating.
func openExisting(ctx context.Context, url string) (*db.DB, error) {
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok && path != "" {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("数据库文件 %s 不存在", path)
		}
	}
	return db.Open(ctx, url)
}

// trustedKey is the checkpoint verifier key: the platform key in the data
// directory if there is one, else the key the database registered (which
// still finds any tampering that does not also forge signatures).
func trustedKey(ctx context.Context, dataDir string, d *db.DB, out io.Writer) (string, error) {
	if _, err := os.Stat(filepath.Join(dataDir, "keys", gm.PlatformKeyFile)); err == nil {
		keys, err := gm.LoadOrCreateKeys(dataDir)
		if err != nil {
			return "", err
		}
		if reg, err := audit.RegisteredKey(ctx, d); err == nil && reg != keys.VerifierKey {
			fmt.Fprintln(out, "注意：数据库登记的公钥与数据目录中的不同，以数据目录为准")
		}
		return keys.VerifierKey, nil
	}
	reg, err := audit.RegisteredKey(ctx, d)
	if err != nil {
		return "", fmt.Errorf("数据目录 %s 中没有平台密钥，数据库也未登记验证公钥；请用 --key 给出可信的验证公钥", dataDir)
	}
	fmt.Fprintln(out, "注意：数据目录中没有平台密钥，使用数据库登记的验证公钥；如需防范伪造签名，请用 --key 给出可信公钥")
	return reg, nil
}
