package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"ggzy/internal/ca"
	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/sealed"
)

const sealUsage = `用法:
  ggzy seal --cert 证书.pem --key 私钥.pem --form 投标函.json --lot 标段编号 --out 投标文件.gbid 投标文件夹
      在投标人自己的电脑上把投标文件夹与投标函封装为加密投标文件（不联网、不上传）
  ggzy seal inspect 投标文件.gbid
      不解密，校验加密投标文件的结构与签名，显示标段、证书、大小与摘要（上传前自查）

格式说明见 docs/sealed-bid-format.md；各子命令都有 --help。`

// runSeal is the bidder's sealing tool. It needs no server, database or
// data directory: everything happens on the bidder's machine, and only the
// bidder's certificate can unwrap the content key afterwards.
func runSeal(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "help" {
		fmt.Fprintln(out, sealUsage)
		return errHelp
	}
	if args[0] == "inspect" {
		return runSealInspect(args[1:], out)
	}
	fs := newFlags("seal", "把投标文件夹（可为空）与投标函封装为加密投标文件：SM4-GCM 分块加密，内容密钥以 SM2 封装给本单位证书，SM2 签名，SM3 摘要", out)
	certPath := fs.String("cert", "", "本单位投标证书，PEM 格式（必填）")
	keyPath := fs.String("key", "", "与证书配对的 SM2 私钥，PKCS#8 PEM 格式（必填）")
	formPath := fs.String("form", "", "投标函 JSON：lot_id、price（投标报价，单位：分）、duration_days、quality、manager、manager_cert、extra（必填）")
	lot := fs.Int64("lot", 0, "标段编号；投标函中未填 lot_id 时以此为准，已填时两者必须一致")
	outPath := fs.String("out", "", "写出的加密投标文件（必填，不覆盖已有文件）")
	chunk := fs.Int("chunk-size", sealed.DefaultChunkSize, fmt.Sprintf("分块大小（字节，%d–%d）", sealed.MinChunkSize, sealed.MaxChunkSize))
	fs.Usage = func() {
		fmt.Fprintln(out, sealUsage)
		fmt.Fprintln(out, "\n选项:")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *certPath == "" || *keyPath == "" || *formPath == "" || *outPath == "" {
		return errors.New("--cert、--key、--form 与 --out 都须给出（见 ggzy seal --help）")
	}
	if len(pos) != 1 {
		return errors.New("须给出且只给出一个投标文件夹（可以是空文件夹）")
	}
	dir := pos[0]

	signer, err := loadSigner(*certPath, *keyPath)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(*formPath)
	if err != nil {
		return fmt.Errorf("读取投标函: %w", err)
	}
	form, err := sealed.ParseForm(raw)
	if err != nil {
		return formProblem(err)
	}
	switch {
	case form.LotID == 0 && *lot == 0:
		return errors.New("请用 --lot 给出标段编号，或在投标函中填写 lot_id")
	case form.LotID == 0:
		form.LotID = *lot
	case *lot != 0 && *lot != form.LotID:
		return fmt.Errorf("--lot %d 与投标函中的 lot_id %d 不一致，请核对投的是哪个标段", *lot, form.LotID)
	}
	if err := form.Validate(); err != nil {
		return formProblem(err)
	}
	if err := checkOutPath(*outPath, dir); err != nil {
		return err
	}

	// Write next to the destination and rename at the end, so that a
	// failure or an interrupt never leaves a half-written bid under --out.
	tmp, err := os.CreateTemp(filepath.Dir(*outPath), ".ggzy-seal-*")
	if err != nil {
		return fmt.Errorf("创建输出文件: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	fmt.Fprintf(errOut, "正在封装 %s …\n", dir)
	sum, err := sealed.Seal(ctxWriter{ctx, tmp}, signer, form, dir, sealed.Options{ChunkSize: *chunk})
	if err != nil {
		return describe(err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("写出加密投标文件: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("写出加密投标文件: %w", err)
	}
	if err := publish(tmp.Name(), *outPath); err != nil {
		return err
	}

	fmt.Fprintf(out, "已封装加密投标文件 %s\n", *outPath)
	fmt.Fprintf(out, "  标段：%d\n", form.LotID)
	fmt.Fprintf(out, "  投标报价：%s 元（%d 分）\n", form.Price.Yuan(), int64(form.Price))
	fmt.Fprintf(out, "  工期（交货期）：%d 日历天\n", form.DurationDays)
	fmt.Fprintf(out, "  投标文件：%d 个，明文共 %s 字节（含投标函）\n", sum.Files, group(sum.PlainBytes))
	fmt.Fprintf(out, "  加密文件：%s 字节，%d 块\n", group(sum.Size), sum.Chunks)
	fmt.Fprintf(out, "  投标文件摘要（SM3，平台回执记载此值）：%x\n", sum.ContainerDigest)
	fmt.Fprintf(out, "  签名的密文摘要 SM3：%x\n", sum.CipherDigest)
	fmt.Fprintf(out, "  证书：%s（SM3 指纹 %s）\n", signer.Cert.Subject.String(), ca.Fingerprint(signer.Cert))
	fmt.Fprintln(out, "请在投标截止时间前上传，并核对平台回执中的摘要与上面的“投标文件摘要”一致（ggzy receipt verify --file 可离线核对）。开标时须用同一私钥解密，请妥善保管。")
	return nil
}

// runSealInspect checks a container as the server will on upload.
func runSealInspect(args []string, out io.Writer) error {
	fs := newFlags("seal inspect", "不解密，校验加密投标文件的结构、证书格式与签名，显示其信封信息（上传前自查）", out)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("须给出一个加密投标文件（见 ggzy seal inspect --help）")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("打开加密投标文件: %w", err)
	}
	defer f.Close()
	env, err := sealed.Inspect(f)
	if err != nil {
		return describe(err)
	}
	c := env.Cert
	fmt.Fprintf(out, "加密投标文件 %s\n", pos[0])
	fmt.Fprintf(out, "  格式版本：%d\n", env.Version)
	fmt.Fprintf(out, "  标段：%d\n", env.LotID)
	fmt.Fprintf(out, "  证书主体：%s\n", c.Subject.String())
	fmt.Fprintf(out, "  证书颁发者：%s\n", c.Issuer.String())
	fmt.Fprintf(out, "  证书 SM3 指纹：%s\n", ca.Fingerprint(c))
	fmt.Fprintf(out, "  证书有效期：%s 至 %s\n", clock.Format(c.NotBefore), clock.Format(c.NotAfter))
	fmt.Fprintf(out, "  大小：%s 字节，%d 块（每块 %d 字节）\n", group(env.Size), env.Chunks, env.ChunkSize)
	fmt.Fprintf(out, "  投标文件摘要（SM3，平台回执记载此值）：%x\n", env.ContainerDigest())
	fmt.Fprintf(out, "  签名的密文摘要 SM3：%x\n", env.CipherDigest)
	fmt.Fprintf(out, "  封装时间：%s（北京时间，封装电脑的时钟，仅供参考）\n", clock.Format(env.SealedAt))
	fmt.Fprintf(out, "  机器特征码：%s\n", env.Fingerprint)
	fmt.Fprintln(out, "结构与签名校验通过（未解密内容；证书是否有效、是否绑定到投标单位由平台在上传时核验）。")
	return nil
}

// formProblem spells out what is wrong with bid.json, naming its fields.
func formProblem(err error) error {
	e := errs.As(err)
	if len(e.Fields) == 0 {
		return errors.New(e.Message)
	}
	var b strings.Builder
	b.WriteString("投标函有误：")
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s：%s", f.Field, f.Message)
	}
	return errors.New(b.String())
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("ggzy seal DIR --out f" as well as
// "ggzy seal --out f DIR").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// loadSigner reads the bidder's certificate and key and checks that they
// belong together.
func loadSigner(certPath, keyPath string) (sealed.Signer, error) {
	cb, err := os.ReadFile(certPath)
	if err != nil {
		return sealed.Signer{}, fmt.Errorf("读取证书: %w", err)
	}
	cert, err := ca.ParseCertPEM(cb)
	if err != nil {
		return sealed.Signer{}, fmt.Errorf("%s: %w", certPath, err)
	}
	kb, err := os.ReadFile(keyPath)
	if err != nil {
		return sealed.Signer{}, fmt.Errorf("读取私钥: %w", err)
	}
	key, err := ca.ParseKeyPEM(kb)
	if err != nil {
		return sealed.Signer{}, fmt.Errorf("%s: %w", keyPath, err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return sealed.Signer{}, errors.New("私钥与证书不匹配：请使用与该证书一同签发的私钥")
	}
	return sealed.Signer{Cert: cert, Key: key}, nil
}

// checkOutPath refuses an existing output and one inside the folder being
// sealed (which would seal a half-written copy of itself).
func checkOutPath(outPath, dir string) error {
	if _, err := os.Lstat(outPath); err == nil {
		return fmt.Errorf("%s 已存在，不覆盖；请换一个 --out 文件名或先删除它", outPath)
	}
	o, err1 := filepath.Abs(filepath.Dir(outPath))
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return errors.New("无法确定输出文件或投标文件夹的位置")
	}
	if r, err := filepath.EvalSymlinks(o); err == nil {
		o = r
	}
	if r, err := filepath.EvalSymlinks(d); err == nil {
		d = r
	}
	if rel, err := filepath.Rel(d, o); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return errors.New("--out 不能放在投标文件夹里面")
	}
	return nil
}

// publish gives the finished file its name without replacing a file
// created meanwhile: a hard link refuses to; where the file system has no
// hard links (a FAT USB stick), check and rename.
func publish(tmp, dst string) error {
	err := os.Link(tmp, dst)
	if err == nil {
		return nil
	}
	if _, serr := os.Lstat(dst); serr == nil {
		return fmt.Errorf("%s 已存在，不覆盖", dst)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("写出 %s: %w", dst, err)
	}
	return nil
}

// group writes n with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b bytes.Buffer
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ctxWriter stops a long seal when the context ends (Ctrl-C).
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, errors.New("已中断")
	}
	return c.w.Write(p)
}
