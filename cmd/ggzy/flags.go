package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// errHelp ends a command after it printed its help.
var errHelp = errors.New("help")

func newFlags(name, summary string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "ggzy %s — %s\n\n选项:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	return nil
}

// env returns the environment variable or def.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// storage holds the flags every command that touches data shares.
type storage struct {
	db, data string
	caRoots  string // folder of external CA certificates (serve --ca-roots; elsewhere GGZY_CA_ROOTS)
}

func (s *storage) register(fs *flag.FlagSet) {
	fs.StringVar(&s.db, "db", env("GGZY_DB", "sqlite:./ggzy-data/ggzy.db"), "数据库地址：sqlite:路径 或 postgres://…（环境变量 GGZY_DB）")
	fs.StringVar(&s.data, "data", env("GGZY_DATA", "./ggzy-data"), "数据目录：平台密钥、文件存储（环境变量 GGZY_DATA）")
	s.caRoots = env("GGZY_CA_ROOTS", "")
}

// subcommand checks that args start with the one subcommand a command has
// (audit verify, user create …), printing usage for help or anything else.
func subcommand(args []string, want, usage string, out io.Writer) error {
	if len(args) > 0 && args[0] == want {
		return nil
	}
	fmt.Fprintln(out, usage)
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		return errHelp
	}
	return fmt.Errorf("未知子命令 %q", args[0])
}
