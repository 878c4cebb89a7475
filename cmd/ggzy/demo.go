package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"ggzy/internal/auth"
	"ggzy/internal/demo"
)

func runDemo(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("demo", "建立演示数据库（如为空）、载入昭通演示数据并启动服务", out)
	var f serveFlags
	f.register(fs, "127.0.0.1:8080")
	loadOnly := fs.Bool("load-only", false, "只载入演示数据，不启动服务")
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
		fmt.Fprintln(out, "正在载入演示数据（昭通市及所辖11个县区、曲靖市、云南省）…")
		// The demo's many accounts use a lighter (still standard) argon2id
		// cost so loading takes seconds; sign-in checks any cost.
		cfg := auth.DefaultConfig
		cfg.PasswordHasher = auth.Argon2{Memory: 19 * 1024, Time: 2, Threads: 1}
		loader := auth.NewService(a.db, a.clock, a.audit, a.keys.PII, cfg)
		accounts, err := demo.Load(ctx, a.db, loader)
		if err != nil {
			return err
		}
		if _, err := a.audit.Checkpoint(ctx, a.db); err != nil {
			return err
		}
		printAccounts(out, accounts)
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

func printAccounts(out io.Writer, accounts []demo.Account) {
	fmt.Fprintf(out, "\n演示账户（密码均为 %s）：\n", demo.Password)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  角色\t用户名\t姓名\t单位")
	for _, a := range accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Role.Label(), a.Username, a.Name, a.Org)
	}
	tw.Flush()
}
