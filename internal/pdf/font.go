package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"ggzy/internal/errs"
)

// Environment variables naming the font files, used when Options leaves the
// path empty.
const (
	EnvFont      = "GGZY_PDF_FONT"       // Chinese TrueType font (.ttf)
	EnvLatinFont = "GGZY_PDF_LATIN_FONT" // font for Latin letters and digits the Chinese font lacks
)

// FontPaths are the well-known places searched, in order, for the Chinese
// font when neither Options.FontPath nor GGZY_PDF_FONT names one.
var FontPaths = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",      // Debian/Ubuntu fonts-droid-fallback
	"/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf", // same package, smaller file
	"/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", // Debian fonts-arphic-gbsn00lp (GB2312 only)
	"/System/Library/Fonts/Supplemental/Arial Unicode.ttf",   // macOS
	"/Library/Fonts/Arial Unicode.ttf",
	`C:\Windows\Fonts\simhei.ttf`,
}

// LatinFontPaths are searched for the Latin font the same way.
var LatinFontPaths = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", // Debian/Ubuntu fonts-dejavu-core
	"/usr/share/fonts/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
	"/usr/share/fonts/truetype/freefont/FreeSans.ttf",
	"/System/Library/Fonts/Supplemental/Arial.ttf",
	`C:\Windows\Fonts\arial.ttf`,
}

// ErrNoFont is returned when no Chinese font can be found.
var ErrNoFont = errs.E(errs.Internal, "未找到中文字体：请安装 fonts-droid-fallback 或设置 GGZY_PDF_FONT")

// ErrNoLatinFont is returned when the Chinese font has no digits and no
// font for them can be found.
var ErrNoLatinFont = errs.E(errs.Internal, "中文字体缺少数字和西文字母，且未找到西文字体：请安装 fonts-dejavu-core 或设置 GGZY_PDF_LATIN_FONT")

// Options configures where fonts come from. The zero value uses the
// environment and then the well-known paths.
type Options struct {
	FontPath      string // Chinese TrueType font; "" → $GGZY_PDF_FONT → FontPaths
	LatinFontPath string // Latin font; "" → $GGZY_PDF_LATIN_FONT → LatinFontPaths; unused if the Chinese font has digits and letters
}

// fontFile is a loaded TrueType font.
type fontFile struct {
	path string
	data []byte
}

// locate returns the font path to use: explicit, else env, else the first
// existing well-known path; "" if none. An explicit or env path must exist.
func locate(explicit, env string, known []string) (string, error) {
	p := explicit
	if p == "" {
		p = os.Getenv(env)
	}
	if p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", errs.Wrap(errs.Internal, err, fmt.Sprintf("字体文件 %s 无法读取", p))
		}
		return p, nil
	}
	for _, k := range known {
		if st, err := os.Stat(k); err == nil && st.Mode().IsRegular() {
			return k, nil
		}
	}
	return "", nil
}

// loadFont reads path and checks that it is a single TrueType font.
func loadFont(path string) (*fontFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errs.Wrap(errs.Internal, err, fmt.Sprintf("字体文件 %s 不存在", path))
		}
		return nil, errs.Wrap(errs.Internal, err, fmt.Sprintf("字体文件 %s 无法读取", path))
	}
	if err := checkTrueType(data); err != nil {
		return nil, errs.Wrap(errs.Internal, err, fmt.Sprintf("字体文件 %s 不可用：%v", path, err))
	}
	return &fontFile{path: path, data: data}, nil
}

// checkTrueType accepts a single TrueType font (glyf outlines) and rejects
// collections and CFF-flavoured OpenType, which the PDF library cannot embed.
func checkTrueType(data []byte) error {
	if len(data) < 12 {
		return errors.New("文件太短，不是字体")
	}
	switch tag := data[:4]; {
	case bytes.Equal(tag, []byte{0, 1, 0, 0}), bytes.Equal(tag, []byte("true")):
		// TrueType outlines.
	case bytes.Equal(tag, []byte("ttcf")):
		return errors.New("是 TrueType 字体集（.ttc），请使用单个 .ttf 字体")
	case bytes.Equal(tag, []byte("OTTO")):
		return errors.New("是 CFF 轮廓的 OpenType 字体（.otf），请使用 TrueType（.ttf）字体")
	default:
		return errors.New("不是 TrueType 字体")
	}
	// The table directory must name glyf, loca and cmap.
	n := int(data[4])<<8 | int(data[5])
	if 12+16*n > len(data) {
		return errors.New("表目录不完整")
	}
	need := map[string]bool{"glyf": false, "loca": false, "cmap": false, "hmtx": false}
	for i := 0; i < n; i++ {
		tag := string(data[12+16*i : 12+16*i+4])
		if _, ok := need[tag]; ok {
			need[tag] = true
		}
	}
	var missing []string
	for _, t := range []string{"cmap", "glyf", "hmtx", "loca"} {
		if !need[t] {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("缺少 %s 表", strings.Join(missing, "、"))
	}
	return nil
}

// fontName makes a PDF font name for a subset font: a six-letter tag, "+",
// and the file's base name reduced to letters, digits and '-'.
func fontName(tag, path string) string {
	base := strings.TrimSuffix(filepath.Base(strings.ReplaceAll(path, `\`, "/")), filepath.Ext(path))
	var b strings.Builder
	for _, r := range base {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		b.WriteString("Font")
	}
	return tag + "+" + b.String()
}
