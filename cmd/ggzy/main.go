// Command ggzy is the whole platform in one binary: the server, the demo,
// migrations, and the operator's tools. This file only dispatches; the
// object graph is built in app.go.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"ggzy/internal/platform"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, out io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "运行平台服务（HTTP 与 API）", runServe},
		{"demo", "建立演示数据库（如为空）、载入昭通演示数据并启动服务", runDemo},
		{"migrate", "把数据库结构升级到最新版本", runMigrate},
		{"audit", "审计日志工具：audit verify 校验全部事件、检查点与签名", runAudit},
		{"user", "用户工具：user create 建立管理员或中心工作人员账户", runUser},
		{"centre", "交易中心工具：centre create 建立交易中心", runCentre},
		{"cert", "数字证书工具：cert issue 签发、cert list 列出、cert revoke 吊销投标人证书", runCert},
		{"draw", "专家抽取工具：draw verify 按审计日志重放核验一次抽取", runDraw},
		{"bid", "投标工具：bid submit 递交、bid status 查看、bid withdraw 撤回、bid decrypt 解密投标文件", runBid},
		{"receipt", "回执工具：receipt verify 离线核验平台回执的签名与文件摘要", runReceipt},
		{"seal", "投标人封装工具：seal 封装加密投标文件，seal inspect 不解密自查", func(ctx context.Context, a []string, o io.Writer) error { return runSeal(ctx, a, o, o) }},
		{"version", "显示版本", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ggzy — 公共资源交易平台")
	fmt.Fprintln(w, "\n用法: ggzy <命令> [选项]；每个命令都有 --help")
	fmt.Fprintln(w, "\n命令:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	platform.TuneGC()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(out)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if err := c.run(ctx, args[1:], out); err != nil {
				if err == errHelp {
					return 0
				}
				fmt.Fprintln(errOut, "ggzy "+c.name+":", err)
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(errOut, "ggzy: 未知命令 %q\n\n", args[0])
	usage(errOut)
	return 2
}

func runVersion(_ context.Context, args []string, out io.Writer) error {
	fs := newFlags("version", "显示版本", out)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(out, "ggzy", version)
	return nil
}
