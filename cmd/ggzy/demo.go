package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/bidding"
	"ggzy/internal/clock"
	"ggzy/internal/demo"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
)

func runDemo(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("demo", "建立演示数据库（如为空）、载入昭通演示数据并启动服务", out)
	var f serveFlags
	f.register(fs, "127.0.0.1:8080")
	loadOnly := fs.Bool("load-only", false, "只载入演示数据，不启动服务")
	projects := fs.Int("projects", demo.DefaultProjects, "演示交易项目数（至少 40）")
	at := fs.String("now", "", "演示数据的“当前时间”（北京时间 2006-01-02 15:04），默认为服务器当前时间；用于测试")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := open(ctx, f.storage, newLogger(f.logFormat))
	if err != nil {
		return err
	}
	defer a.close()
	loaded, err := demo.Loaded(ctx, a.db)
	if err != nil {
		return err
	}
	if !loaded {
		now := a.clock.Now()
		if *at != "" {
			if now, err = time.ParseInLocation("2006-01-02 15:04", *at, clock.Shanghai); err != nil {
				return fmt.Errorf("--now 须为北京时间 2006-01-02 15:04：%w", err)
			}
		}
		if servable := demo.ServablePresent(now); !servable.Equal(now) {
			fmt.Fprintf(out, "注意：节假日数据只到 %d 年，演示数据的时间线截至 %s（请在 internal/calendar/holidays 补充新年度的安排）\n",
				clock.Local(servable).Year(), clock.Format(servable))
			now = servable
		}
		fmt.Fprintf(out, "正在载入演示数据（昭通市及所辖11个县区、曲靖市、云南省；%d 个交易项目，2024年1月至 %s）…\n",
			*projects, clock.Format(now)[:10])
		began := time.Now()
		res, err := loadDemo(ctx, a, now, *projects, filepath.Join(f.storage.data, "demo-keys"))
		if err != nil {
			return err
		}
		if _, err := a.audit.Checkpoint(ctx, a.db); err != nil {
			return err
		}
		printSummary(out, res.Summary, time.Since(began))
		printOpenings(out, res.Openings, filepath.Join(f.storage.data, "demo-keys"))
		printAccounts(out, res.Accounts)
	} else {
		fmt.Fprintln(out, "数据库已有数据，不再载入演示数据。演示账户见 README（密码 "+demo.Password+"）。")
	}
	if *loadOnly {
		return nil
	}
	return serve(ctx, a, f, func(url string) {
		fmt.Fprintf(out, "\n平台已启动：%s\n按 Ctrl+C 停止。\n", url)
	})
}

// loadDemo builds the services a second time on a fake clock that the
// demo moves from 2024 to now, so everything it writes carries the time
// it happened; the server then runs on the real clock.
func loadDemo(ctx context.Context, a *app, now time.Time, projects int, keysDir string) (demo.Result, error) {
	fake := clock.NewFake(now)
	l := build(a.db, fake, a.log, a.keys, a.base.Blobs).withCA(a.trust)
	// The demo's many accounts use a lighter (still standard) argon2id
	// cost so loading takes seconds; sign-in checks any cost.
	cfg := auth.DefaultConfig
	cfg.PasswordHasher = auth.Argon2{Memory: 19 * 1024, Time: 2, Threads: 1}
	svc := demo.Services{Auth: auth.NewService(a.db, fake, l.audit, a.keys.PII, cfg), Guide: l.guide, Tender: l.tender,
		Notice: l.notice, Venue: l.venue, Expert: l.expert, CA: l.ca, Bidding: l.bidding, Clock: fake}
	return demo.Load(ctx, a.db, svc, demo.Options{Now: now, Projects: projects, KeysDir: keysDir})
}

func printSummary(out io.Writer, s demo.Summary, took time.Duration) {
	var kinds []string
	for _, k := range tender.TradeKinds {
		kinds = append(kinds, fmt.Sprintf("%s %d", k.Label(), s.ByKind[k]))
	}
	fmt.Fprintf(out, "\n已载入（用时 %s）：\n", took.Round(time.Second))
	fmt.Fprintf(out, "  交易项目 %d 个：%s；已成交 %d、已归档 %d、公告中 %d、待受理 %d（超期 %d）、绿色通道 %d\n", s.Projects,
		strings.Join(kinds, "、"), s.ByState[tender.Awarded], s.ByState[tender.Archived], s.ByState[tender.Tendering], s.ByState[tender.Submitted],
		s.Overdue, s.Green)
	fmt.Fprintf(out, "  公告 %d 条：已发布 %d、待发布 %d、待审核 %d\n", s.Notices, s.NoticeStates[notice.Published],
		s.NoticeStates[notice.Scheduled], s.NoticeStates[notice.Review])
	fmt.Fprintf(out, "  场地预约 %d 个（其中尚未开始 %d、绿色通道预留时段 %d），已取消 %d 个\n", s.Bookings, s.Upcoming,
		s.GreenBookings, s.Cancelled)
	fmt.Fprintf(out, "  综合评标专家库 %d 人（昭通市及所辖县区 743 人，另有省级和曲靖市专家供远程异地评标抽取）\n", s.Experts)
	fmt.Fprintf(out, "  成交金额 %s 亿元，节约资金 %s 亿元，土地和产权增值 %s 亿元\n", yi(s.Traded), yi(s.Savings), yi(s.Premium))
	fmt.Fprintf(out, "  不见面开标 %d 个标段：开标结束 %d、解密中 %d、流标 %d；开标的投标文件 %d 份；投标人数字证书 %d 张\n",
		s.Openings[bidding.Recorded]+s.Openings[bidding.Decrypting]+s.Openings[bidding.Failed], s.Openings[bidding.Recorded],
		s.Openings[bidding.Decrypting], s.Openings[bidding.Failed], s.OpenedBids, s.Certificates)
}

// printOpenings names the online-opening lots worth a visit and who can
// still decrypt, with where their keys are.
func printOpenings(out io.Writer, lots []demo.Showcase, keysDir string) {
	if len(lots) == 0 {
		return
	}
	fmt.Fprintln(out, "\n不见面开标（工作台 → 开标大厅）：")
	for _, l := range lots {
		fmt.Fprintf(out, "  %s  %s\n    %s %s\n", l.What, l.Path, l.Project, l.Lot)
		label := "待解密的投标人"
		if l.State == bidding.Waiting {
			label = "已递交投标文件的投标人（开标后解密）"
		}
		if len(l.Bidders) > 0 {
			fmt.Fprintf(out, "    %s：%s（私钥：%s/<用户名>/key.pem）\n", label, strings.Join(l.Bidders, "、"), keysDir)
		}
	}
}

// yi shows an amount in 亿元 with two decimals.
func yi(f money.Fen) string {
	v := int64(f) / 1_000_000 // 万元
	return fmt.Sprintf("%d.%02d", v/10000, v%10000/100)
}

func printAccounts(out io.Writer, accounts []demo.Account) {
	fmt.Fprintf(out, "\n演示账户（密码均为 %s）：\n", demo.Password)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  角色\t用户名\t姓名\t单位")
	for _, a := range accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Role.Label(), a.Username, a.Name, a.Org)
	}
	tw.Flush()
}
