package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// serveFlags are the HTTP options of serve and demo.
type serveFlags struct {
	storage
	addr, cert, key, logFormat string
	trustProxy                 bool
}

func (f *serveFlags) register(fs *flag.FlagSet, defAddr string) {
	f.storage.register(fs)
	fs.StringVar(&f.addr, "addr", env("GGZY_ADDR", defAddr), "监听地址（环境变量 GGZY_ADDR）")
	fs.StringVar(&f.cert, "tls-cert", env("GGZY_TLS_CERT", ""), "TLS 证书文件（与 --tls-key 一起给出时启用 HTTPS）")
	fs.StringVar(&f.key, "tls-key", env("GGZY_TLS_KEY", ""), "TLS 私钥文件")
	fs.BoolVar(&f.trustProxy, "trust-proxy", env("GGZY_TRUST_PROXY", "") == "true", "信任反向代理的 X-Forwarded-For（仅在代理之后部署时开启）")
	fs.StringVar(&f.logFormat, "log", env("GGZY_LOG", "text"), "日志格式：text 或 json")
	fs.StringVar(&f.caRoots, "ca-roots", env("GGZY_CA_ROOTS", ""), "信任的外部 CA 证书目录（PEM 文件：投标人证书的根证书及中级 CA 证书；环境变量 GGZY_CA_ROOTS）")
}

func runServe(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("serve", "运行平台服务；启动时自动迁移数据库", out)
	var f serveFlags
	f.register(fs, ":8080")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := open(ctx, f.storage, newLogger(f.logFormat))
	if err != nil {
		return err
	}
	defer a.close()
	return serve(ctx, a, f, nil)
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully.
// ready, when given, receives the listening URL.
func serve(ctx context.Context, a *app, f serveFlags, ready func(url string)) error {
	tls := f.cert != "" && f.key != ""
	if (f.cert == "") != (f.key == "") {
		return errors.New("--tls-cert 与 --tls-key 须同时给出")
	}
	srv, err := a.web(tls, f.trustProxy)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("监听 %s: %w", f.addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	url := scheme + "://" + displayAddr(ln.Addr())
	a.log.Info("ggzy listening", "url", url, "database", string(a.db.Dialect()), "version", version)
	if ready != nil {
		ready(url)
	}
	a.startFakeVoice(ctx, url)
	go a.housekeeping(ctx)
	go a.openings(ctx)
	errc := make(chan error, 1)
	go func() {
		if tls {
			errc <- hs.ServeTLS(ln, f.cert, f.key)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	// Seal the trail written so far under a signed checkpoint.
	if _, err := a.audit.Checkpoint(shutdownCtx, a.db); err != nil {
		a.log.Error("final checkpoint", "err", err)
	}
	return nil
}

// displayAddr turns ":8080" into "localhost:8080" for people to click.
func displayAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// openings runs the online opening's scheduled steps every few seconds,
// so an opening starts at its deadline (RULES A13) and a decryption window
// closes on time. The steps are idempotent and safe on several nodes.
func (a *app) openings(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		if err := a.bidding.Housekeeping(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("online opening", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// housekeeping signs a checkpoint of the audit log every minute and
// purges expired sessions, until ctx ends.
func (a *app) housekeeping(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := a.audit.Checkpoint(ctx, a.db); err != nil && ctx.Err() == nil {
			a.log.Error("audit checkpoint", "err", err)
		}
		if err := a.auth.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("purge sessions", "err", err)
		}
		// Scheduled notices whose publish_at has passed (reads publish
		// them too; this keeps the public lists current).
		if _, err := a.notice.PublishDue(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("publish due notices", "err", err)
		}
		// Expert draws: unanswered calls past their deadline move on to the
		// next expert; lists whose evaluation has begun are unsealed.
		if _, err := a.draw.Tick(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("expert draw call-out", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
