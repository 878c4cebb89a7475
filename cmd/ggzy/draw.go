package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/audit"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/notify"
	"ggzy/internal/platform"
)

// The expert draw's wiring (channels from the environment) and the
// `ggzy draw verify` command.

// newDraw builds the draw service with the channels the environment
// configures:
//
//	GGZY_PUBLIC_URL     the platform's address in links and callbacks (default http://localhost:8080)
//	GGZY_VOICE_URL      the voice gateway's call endpoint; "fake" runs the built-in fake gateway (demo)
//	GGZY_VOICE_KEY      the key shared with the gateway (≥ 16 characters)
//	GGZY_SMTP_ADDR      host:port of the mail relay (e-mail / SMS gateway)
//	GGZY_SMTP_FROM      sender, e.g. "公共资源交易平台 <noreply@example.cn>"
//	GGZY_SMTP_USER, GGZY_SMTP_PASSWORD   optional AUTH PLAIN
//	GGZY_DRAW_ANSWER_MINUTES             default answer time (30)
func newDraw(base platform.Base, lib *expert.Service, logger *slog.Logger) *draw.Service {
	s := draw.New(base, lib, nil)
	cfg := draw.DefaultConfig
	cfg.BaseURL = strings.TrimRight(env("GGZY_PUBLIC_URL", cfg.BaseURL), "/")
	if m, err := strconv.Atoi(env("GGZY_DRAW_ANSWER_MINUTES", "")); err == nil {
		cfg.AnswerWithin = time.Duration(m) * time.Minute
	}
	if err := s.Configure(cfg); err != nil {
		logger.Error("expert draw configuration", "err", err)
	}
	var voice *notify.Voice
	if u := env("GGZY_VOICE_URL", ""); u != "" && u != "fake" {
		key := env("GGZY_VOICE_KEY", "")
		if len(key) < notify.MinKeyLen {
			logger.Error("GGZY_VOICE_KEY is shorter than 16 characters: voice calls are off")
		} else {
			voice = &notify.Voice{URL: u, Key: []byte(key), CallbackURL: cfg.BaseURL + "/api/v1/voice/callback", Clock: base.Clock}
		}
	}
	var mail *notify.Mail
	if addr := env("GGZY_SMTP_ADDR", ""); addr != "" {
		mail = &notify.Mail{Addr: addr, From: env("GGZY_SMTP_FROM", "公共资源交易平台 <noreply@localhost>"),
			Username: env("GGZY_SMTP_USER", ""), Password: env("GGZY_SMTP_PASSWORD", ""), Clock: base.Clock}
	}
	s.SetChannels(voice, mail)
	return s
}

// startFakeVoice runs the built-in fake voice gateway when GGZY_VOICE_URL
// is "fake" (for the demo): it answers every call a few moments later —
// mostly yes, sometimes no, now and then not at all — through the real
// signed callback to url.
func (a *app) startFakeVoice(ctx context.Context, url string) {
	if env("GGZY_VOICE_URL", "") != "fake" || a.draw == nil {
		return
	}
	key := make([]byte, 32)
	copy(key, []byte("ggzy-demo-voice-gateway-key-0001"))
	n := 0
	gw := notify.NewFakeGateway(key, a.clock, func(notify.CallRequest) notify.Result {
		n++
		switch n % 7 {
		case 3:
			return notify.Declined
		case 5:
			return "" // no answer: the call times out
		}
		return notify.Accepted
	})
	gw.Auto = true
	a.draw.SetChannels(&notify.Voice{URL: gw.URL(), Key: key, CallbackURL: url + "/api/v1/voice/callback", Clock: a.clock}, nil)
	a.log.Info("fake voice gateway for the demo", "url", gw.URL())
	go func() {
		<-ctx.Done()
		gw.Close()
	}()
}

func runDraw(ctx context.Context, args []string, out io.Writer) error {
	if err := subcommand(args, "verify", "用法: ggzy draw verify [--db URL] [--no-audit] 抽取编号", out); err != nil {
		return err
	}
	fs := newFlags("draw verify", "按审计日志重放一次专家抽取并与数据库核对；有任何不一致（或名单尚未启封、无法重放）则以非零状态退出", out)
	var st storage
	st.register(fs)
	noAudit := fs.Bool("no-audit", false, "不校验整个审计日志的哈希链与签名（只重放本次抽取）")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) > 1 { // flags after the id
		if err := parse(fs, rest[1:]); err != nil {
			return err
		}
		rest = append(rest[:1], fs.Args()...)
	}
	if len(rest) != 1 {
		return errors.New("请给出一个抽取编号，例如 ggzy draw verify --db sqlite:./ggzy-data/ggzy.db 12")
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("抽取编号须为正整数，收到 %q", rest[0])
	}
	d, err := openExisting(ctx, st.db)
	if err != nil {
		return err
	}
	defer d.Close()
	if !*noAudit {
		vkey, err := trustedKey(ctx, st.data, d, out)
		if err != nil {
			return err
		}
		ar, err := audit.Verify(ctx, d, vkey)
		if err != nil {
			return err
		}
		if !ar.OK {
			return fmt.Errorf("审计日志校验失败：第一个问题在事件 #%d：%s", ar.FirstBad, ar.Problem)
		}
		fmt.Fprintf(out, "✓ 审计日志完好（%d 条事件，%d 个签名检查点）\n", ar.Events, ar.Checkpoints)
	}
	rep, err := draw.Verify(ctx, d, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "专家抽取 #%d：读取审计事件 %d 条，通知 %d 次\n", id, rep.Events, rep.Calls)
	for _, c := range rep.Checked {
		fmt.Fprintln(out, "✓", c)
	}
	for _, c := range rep.Differences {
		fmt.Fprintln(out, "✗", c)
	}
	switch {
	case len(rep.Differences) > 0:
		return fmt.Errorf("核验失败：发现 %d 处不一致", len(rep.Differences))
	case !rep.Replayed:
		return errors.New("名单尚未启封（服务器种子未公布），只核对了可核对的部分，无法完整重放；评标开始后再核验")
	}
	fmt.Fprintln(out, "核验通过：按审计日志重放的抽取与记录完全一致")
	return nil
}
