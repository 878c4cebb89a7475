package pdf

import (
	"fmt"
	"math"
	"strings"

	"github.com/signintech/gopdf"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
)

// Renderer renders documents with one pair of fonts. It is safe for
// concurrent use; keep one to avoid reading the font files for every
// document.
type Renderer struct {
	cjk   *fontFile
	latin *fontFile // nil when the Chinese font has digits and Latin letters
}

// Render renders d with the fonts found from the environment and the
// well-known paths (Options{}). It reads the font files on every call; use
// NewRenderer to keep them.
func Render(d Doc) ([]byte, error) {
	r, err := NewRenderer(Options{})
	if err != nil {
		return nil, err
	}
	return r.Render(d)
}

// NewRenderer finds and loads the fonts. It fails with ErrNoFont when no
// Chinese font is found, with ErrNoLatinFont when that font lacks digits or
// Latin letters and no Latin font is found, and with a message naming the
// file when a font cannot be used.
func NewRenderer(o Options) (*Renderer, error) {
	p, err := locate(o.FontPath, EnvFont, FontPaths)
	if err != nil {
		return nil, err
	}
	if p == "" {
		return nil, ErrNoFont
	}
	cjk, err := loadFont(p)
	if err != nil {
		return nil, err
	}
	r := &Renderer{cjk: cjk}
	cov, err := coverage(cjk, "中文０0Aa")
	if err != nil {
		return nil, err
	}
	if !cov['中'] || !cov['文'] {
		return nil, errs.E(errs.Internal, "字体文件 %s 不含中文字形：请安装 fonts-droid-fallback 或设置 GGZY_PDF_FONT", p)
	}
	if cov['0'] && cov['A'] && cov['a'] {
		return r, nil
	}
	lp, err := locate(o.LatinFontPath, EnvLatinFont, LatinFontPaths)
	if err != nil {
		return nil, err
	}
	if lp == "" {
		return nil, ErrNoLatinFont
	}
	if r.latin, err = loadFont(lp); err != nil {
		return nil, err
	}
	lcov, err := coverage(r.latin, "0Aa")
	if err != nil {
		return nil, err
	}
	if !lcov['0'] || !lcov['A'] || !lcov['a'] {
		return nil, errs.E(errs.Internal, "字体文件 %s 不含数字和西文字母", lp)
	}
	return r, nil
}

// Fonts returns the paths of the fonts in use; latin is "" when the
// Chinese font covers Latin text itself.
func (r *Renderer) Fonts() (cjk, latin string) {
	if r.latin != nil {
		latin = r.latin.path
	}
	return r.cjk.path, latin
}

// coverage reports which runes of s the font has glyphs for.
func coverage(f *fontFile, s string) (map[rune]bool, error) {
	g := &gopdf.GoPdf{}
	g.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	if err := g.AddTTFFontData("f", f.data); err != nil {
		return nil, errs.Wrap(errs.Internal, err, fmt.Sprintf("字体文件 %s 无法解析", f.path))
	}
	if err := g.SetFont("f", "", 10); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "设置字体失败")
	}
	m := map[rune]bool{}
	for _, c := range s {
		ok, err := g.IsCurrFontContainGlyph(c)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, fmt.Sprintf("字体文件 %s 无法解析", f.path))
		}
		m[c] = ok
	}
	return m, nil
}

// Layout, in points (1/72 inch).
const (
	margin      = 50.0 // left, right and top
	footerBase  = 30.0 // from the bottom of the page to the page-number baseline
	lineFactor  = 1.5  // line height / font size
	sizeTitle   = 20.0
	sizeSub     = 13.0
	sizeHeading = 13.0
	sizeBody    = 10.5
	sizeSmall   = 9.0
	sizeMeta    = 11.0
	sizeTable   = 9.5
	sizeFooter  = 8.0
	padX        = 3.5 // cell padding
	padY        = 2.5
	ruleWidth   = 0.6
)

func lineHeight(size float64) float64 { return size * lineFactor }

// writer is the state of one rendering.
type writer struct {
	g      *gopdf.GoPdf
	fam    [2]string // font family per font index; fam[1] "" without a Latin font
	font   map[rune]int8
	adv    map[rune]float64 // advance width at size 1
	doc    *Doc
	title  string  // normalised, for the running header
	pw, ph float64 // page size
	left   float64
	right  float64
	bottom float64 // lowest y the body may reach
	y      float64
	page   int
	filled bool // something was drawn on this page's body
	curF   int8
	curS   float64
	err    error // first error from the library; checked at the end
}

// Render renders d. The same d and fonts always give the same bytes.
func (r *Renderer) Render(d Doc) ([]byte, error) {
	w, err := r.newWriter(&d)
	if err != nil {
		return nil, err
	}
	g := w.g
	w.left, w.right = margin, w.pw-margin
	w.title = normalize(d.Title, false)

	// The footer's height depends on the verification line, the same on
	// every page; the body stops above it.
	verify := w.wrap(w.clean(d.Verify, false), sizeFooter, w.right-w.left)
	if len(verify) > 3 {
		verify = verify[:3]
	}
	if strings.TrimSpace(d.Verify) == "" {
		verify = nil
	}
	footerTop := w.ph - footerBase - sizeFooter - float64(len(verify))*lineHeight(sizeFooter) - 6
	w.bottom = footerTop - 8

	w.newPage()
	w.titleBlock()
	for _, b := range d.Blocks {
		w.block(b)
	}
	pages := w.page
	for p := 1; p <= pages; p++ {
		if err := g.SetPage(p); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "生成 PDF 失败")
		}
		w.footer(p, pages, verify, footerTop)
	}
	if w.err != nil {
		return nil, errs.Wrap(errs.Internal, w.err, "生成 PDF 失败")
	}
	info := gopdf.PdfInfo{
		Title:    w.title,
		Author:   normalize(d.Author, false),
		Creator:  "ggzy",
		Producer: "ggzy (github.com/signintech/gopdf)",
	}
	if !d.Created.IsZero() {
		info.CreationDate = d.Created.In(clock.Shanghai)
	}
	g.SetInfo(info)
	out, err := g.GetBytesPdfReturnErr()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "生成 PDF 失败")
	}
	return out, nil
}

// newWriter starts a document for d with the renderer's fonts.
func (r *Renderer) newWriter(d *Doc) (*writer, error) {
	g := &gopdf.GoPdf{}
	size := *gopdf.PageSizeA4
	if d.Landscape {
		size = gopdf.Rect{W: size.H, H: size.W}
	}
	g.Start(gopdf.Config{PageSize: size})
	// Until a text colour is set, the library's text takes whatever fill
	// colour was set last.
	g.SetTextColor(0, 0, 0)
	w := &writer{
		g:    g,
		font: map[rune]int8{},
		adv:  map[rune]float64{},
		doc:  d,
		pw:   size.W,
		ph:   size.H,
		curF: -1,
	}
	w.fam[0] = fontName("GGZYAA", r.cjk.path)
	if err := g.AddTTFFontData(w.fam[0], r.cjk.data); err != nil {
		return nil, errs.Wrap(errs.Internal, err, fmt.Sprintf("字体文件 %s 无法解析", r.cjk.path))
	}
	if r.latin != nil {
		w.fam[1] = fontName("GGZYAB", r.latin.path)
		if err := g.AddTTFFontData(w.fam[1], r.latin.data); err != nil {
			return nil, errs.Wrap(errs.Internal, err, fmt.Sprintf("字体文件 %s 无法解析", r.latin.path))
		}
	}
	return w, nil
}

// fontOf returns the index of the font that draws c, or -1 if none does.
func (w *writer) fontOf(c rune) int8 {
	if f, ok := w.font[c]; ok {
		return f
	}
	f := int8(-1)
	for i, fam := range w.fam {
		if fam == "" {
			continue
		}
		w.setFont(int8(i), 10)
		if ok, err := w.g.IsCurrFontContainGlyph(c); err == nil && ok {
			f = int8(i)
			break
		}
	}
	w.font[c] = f
	return f
}

// clean normalises s and replaces characters no font has.
func (w *writer) clean(s string, keepNewlines bool) string {
	s = normalize(s, keepNewlines)
	ok := true
	for _, c := range s {
		if c != '\n' && w.fontOf(c) < 0 {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	rep := replacement
	if w.fontOf(rep) < 0 {
		rep = '?'
	}
	return strings.Map(func(c rune) rune {
		if c != '\n' && w.fontOf(c) < 0 {
			return rep
		}
		return c
	}, s)
}

func (w *writer) setFont(f int8, size float64) {
	if f == w.curF && size == w.curS {
		return
	}
	if err := w.g.SetFont(w.fam[f], "", size); err != nil && w.err == nil {
		w.err = err
	}
	w.curF, w.curS = f, size
}

// advance returns the width of c at size 1.
func (w *writer) advance(c rune) float64 {
	if a, ok := w.adv[c]; ok {
		return a
	}
	a := 0.0
	if f := w.fontOf(c); f >= 0 {
		w.setFont(f, 1000)
		if m, err := w.g.MeasureTextWidth(string(c)); err == nil {
			a = m / 1000
		}
	}
	w.adv[c] = a
	return a
}

func (w *writer) width(s string, size float64) float64 {
	t := 0.0
	for _, c := range s {
		t += w.advance(c)
	}
	return t * size
}

// text draws one line with its baseline at y, switching fonts per run.
func (w *writer) text(x, y float64, s string, size float64) {
	runs := []rune(s)
	for i := 0; i < len(runs); {
		f := w.fontOf(runs[i])
		j := i + 1
		for j < len(runs) && w.fontOf(runs[j]) == f {
			j++
		}
		run := string(runs[i:j])
		if f >= 0 {
			w.setFont(f, size)
			w.g.SetXY(x, y)
			if err := w.g.Text(run); err != nil && w.err == nil {
				w.err = err
			}
		}
		x += w.width(run, size)
		i = j
	}
}

// line draws s inside [x, x+width) on the line whose top is top.
func (w *writer) line(x, top, width float64, s string, size float64, a Align) {
	if s == "" {
		return
	}
	switch a {
	case Center:
		x += (width - w.width(s, size)) / 2
	case Right:
		x += width - w.width(s, size)
	}
	lh := lineHeight(size)
	w.text(x, top+(lh-size)/2+0.86*size, s, size)
}

// wrap breaks s (already clean) into lines no wider than max; "\n" breaks
// too. Every line holds at least one character, so it always ends.
func (w *writer) wrap(s string, size, max float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, w.wrapLine([]rune(para), size, max)...)
	}
	return out
}

func (w *writer) wrapLine(rs []rune, size, max float64) []string {
	if len(rs) == 0 {
		return []string{""}
	}
	var lines []string
	start := 0
	for start < len(rs) {
		if start > 0 {
			for start < len(rs) && rs[start] == ' ' {
				start++
			}
			if start == len(rs) {
				break
			}
		}
		// brk is the last place a line may break; soft the last place after
		// a hyphen or slash, used only if a word does not fit a line.
		width, brk, soft, i := 0.0, -1, -1, start
		for ; i < len(rs); i++ {
			if i > start && breakAllowed(rs[i-1], rs[i]) {
				brk = i
			} else if i > start && (rs[i-1] == '-' || rs[i-1] == '/') {
				soft = i
			}
			cw := w.advance(rs[i]) * size
			if i > start && width+cw > max {
				break
			}
			width += cw
		}
		if i == len(rs) {
			lines = append(lines, strings.TrimRight(string(rs[start:]), " "))
			break
		}
		end := i
		if brk > start {
			end = brk
		} else if soft > start {
			end = soft
		}
		lines = append(lines, strings.TrimRight(string(rs[start:end]), " "))
		start = end
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

// fit cuts s with "…" so that it is no wider than max.
func (w *writer) fit(s string, size, max float64) string {
	if w.width(s, size) <= max {
		return s
	}
	rs := []rune(s)
	ell := w.width("…", size)
	for len(rs) > 0 && w.width(string(rs), size)+ell > max {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// units splits s into the pieces a line never breaks inside.
func units(s string) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		rs := []rune(para)
		start := 0
		for i := 1; i <= len(rs); i++ {
			if i == len(rs) || breakAllowed(rs[i-1], rs[i]) {
				if u := strings.TrimSpace(string(rs[start:i])); u != "" {
					out = append(out, u)
				}
				start = i
			}
		}
	}
	return out
}

// bodyTop is where the body starts on page p.
func (w *writer) bodyTop(p int) float64 {
	if p > 1 && w.title != "" {
		return margin + 18
	}
	return margin
}

func (w *writer) newPage() {
	w.g.AddPage()
	w.g.SetLineWidth(ruleWidth) // gives the page its content stream, even if nothing else is drawn
	w.page++
	w.filled = false
	w.y = w.bodyTop(w.page)
	w.watermark()
	if w.page > 1 && w.title != "" {
		// Running header: the title, small and grey.
		s := w.fit(w.clean(w.title, false), sizeFooter, w.right-w.left)
		w.g.SetTextColor(110, 110, 110)
		w.line(w.left, margin-4, w.right-w.left, s, sizeFooter, Left)
		w.g.SetTextColor(0, 0, 0)
		w.g.SetStrokeColor(170, 170, 170)
		w.g.SetLineWidth(0.4)
		w.g.Line(w.left, margin+10, w.right, margin+10)
		w.g.SetStrokeColor(0, 0, 0)
	}
}

// room makes sure h points fit below y, starting a new page if not (unless
// the page is still empty, where nothing more can be gained).
func (w *writer) room(h float64) {
	if w.y+h > w.bottom && w.filled {
		w.newPage()
	}
}

// capacity is the height of a whole page's body.
func (w *writer) capacity() float64 { return w.bottom - w.bodyTop(2) }

func (w *writer) watermark() {
	s := strings.TrimSpace(w.clean(w.doc.Watermark, false))
	if s == "" {
		return
	}
	size := 120.0
	diag := math.Hypot(w.pw, w.ph) * 0.7
	if tw := w.width(s, size); tw > diag {
		size = size * diag / tw
	}
	cx, cy := w.pw/2, w.ph/2
	w.g.SetTextColor(232, 232, 232)
	w.g.Rotate(math.Atan2(w.ph, w.pw)*180/math.Pi, cx, cy)
	w.text(cx-w.width(s, size)/2, cy+size*0.35, s, size)
	w.g.RotateReset()
	w.g.SetTextColor(0, 0, 0)
}

func (w *writer) footer(p, pages int, verify []string, top float64) {
	width := w.right - w.left
	w.g.SetStrokeColor(150, 150, 150)
	w.g.SetLineWidth(0.4)
	w.g.Line(w.left, top, w.right, top)
	w.g.SetStrokeColor(0, 0, 0)
	w.g.SetTextColor(80, 80, 80)
	lh := lineHeight(sizeFooter)
	y := top + 3
	for _, v := range verify {
		w.line(w.left, y, width, v, sizeFooter, Left)
		y += lh
	}
	// The footer text and the page number share one right-aligned line,
	// close together: pdftotext (poppler) drops the spaces of a line whose
	// words are all single characters, as "第 1 页 / 共 2 页" alone would be,
	// and splits a line at a gap wider than half the font size.
	num := fmt.Sprintf("第 %d 页 / 共 %d 页", p, pages)
	f := strings.TrimSpace(w.clean(w.doc.Footer, false))
	if f == "" {
		f = strings.TrimSpace(w.clean(w.title, false))
	}
	if f != "" {
		f = w.fit(f, sizeFooter, width-w.width(num+" · ", sizeFooter)) + " · "
	}
	w.line(w.left, y, width, f+num, sizeFooter, Right)
	w.g.SetTextColor(0, 0, 0)
}

func (w *writer) titleBlock() {
	d := w.doc
	width := w.right - w.left
	if t := w.clean(d.Title, true); strings.TrimSpace(t) != "" {
		for _, l := range w.wrap(t, sizeTitle, width) {
			w.room(lineHeight(sizeTitle))
			w.line(w.left, w.y, width, l, sizeTitle, Center)
			w.y += lineHeight(sizeTitle)
			w.filled = true
		}
	}
	if s := w.clean(d.Subtitle, true); strings.TrimSpace(s) != "" {
		for _, l := range w.wrap(s, sizeSub, width) {
			w.room(lineHeight(sizeSub))
			w.line(w.left, w.y, width, l, sizeSub, Center)
			w.y += lineHeight(sizeSub)
			w.filled = true
		}
	}
	if w.filled {
		w.y += 8
	}
	if len(d.Meta) > 0 {
		w.fields(d.Meta)
		w.y += 6
	}
}

func (w *writer) block(b Block) {
	switch b := b.(type) {
	case Table:
		w.table(b)
	case *Table:
		if b != nil {
			w.table(*b)
		}
	case Para:
		w.para(b)
	case *Para:
		if b != nil {
			w.para(*b)
		}
	case Heading:
		w.heading(b)
	case *Heading:
		if b != nil {
			w.heading(*b)
		}
	case Fields:
		w.fields(b.Items)
	case *Fields:
		if b != nil {
			w.fields(b.Items)
		}
	case Signatures:
		w.signatures(b)
	case *Signatures:
		if b != nil {
			w.signatures(*b)
		}
	case Stamp:
		w.stamp(b)
	case *Stamp:
		if b != nil {
			w.stamp(*b)
		}
	case PageBreak, *PageBreak:
		if w.filled {
			w.newPage()
		}
	}
}

func (w *writer) para(p Para) {
	size := sizeBody
	if p.Small {
		size = sizeSmall
	}
	lh := lineHeight(size)
	width := w.right - w.left
	for _, l := range w.wrap(w.clean(p.Text, true), size, width) {
		w.room(lh)
		w.line(w.left, w.y, width, l, size, p.Align)
		w.y += lh
		w.filled = true
	}
	w.y += 4
}

func (w *writer) heading(h Heading) {
	width := w.right - w.left
	lines := w.wrap(w.clean(h.Text, true), sizeHeading, width)
	lh := lineHeight(sizeHeading)
	// Keep the heading with about three lines of what follows.
	need := 6 + float64(len(lines))*lh + 3*lineHeight(sizeBody)
	if need <= w.capacity() {
		w.room(need)
	}
	if w.filled {
		w.y += 6
	}
	for _, l := range lines {
		w.room(lh)
		w.line(w.left, w.y, width, l, sizeHeading, Left)
		w.y += lh
		w.filled = true
	}
	w.y += 2
}

// fields draws label/value lines: labels in a column as wide as the widest
// (at most a third of the page), values wrapped beside them.
func (w *writer) fields(items [][2]string) {
	if len(items) == 0 {
		return
	}
	width := w.right - w.left
	size := sizeMeta
	lh := lineHeight(size)
	labels := make([]string, len(items))
	lw := 0.0
	for i, it := range items {
		labels[i] = w.clean(it[0], false)
		if strings.TrimSpace(labels[i]) != "" {
			labels[i] += "："
		}
		lw = math.Max(lw, w.width(labels[i], size))
	}
	lw = math.Min(lw, width/3)
	for i, it := range items {
		ll := w.wrap(labels[i], size, lw)
		vl := w.wrap(w.clean(it[1], true), size, width-lw-4)
		for j := 0; j < len(ll) || j < len(vl); j++ {
			w.room(lh)
			if j < len(ll) {
				w.line(w.left, w.y, lw, ll[j], size, Left)
			}
			if j < len(vl) {
				w.line(w.left+lw+4, w.y, width-lw-4, vl[j], size, Left)
			}
			w.y += lh
			w.filled = true
		}
	}
	w.y += 2
}

func (w *writer) signatures(s Signatures) {
	if len(s.Labels) == 0 {
		return
	}
	width := w.right - w.left
	size := sizeBody
	lh := lineHeight(size)
	col := width / 2
	type sig struct {
		label []string
	}
	sigs := make([]sig, len(s.Labels))
	for i, l := range s.Labels {
		sigs[i].label = w.wrap(w.clean(l, true)+"（签字/签章）：", size, col*0.55)
	}
	rowH := func(i int) float64 {
		n := len(sigs[i].label)
		if i+1 < len(sigs) {
			n = max(n, len(sigs[i+1].label))
		}
		return float64(n+1)*lh + 14 // label lines, the date line, space to sign
	}
	total := 8.0
	for i := 0; i < len(sigs); i += 2 {
		total += rowH(i)
	}
	if total <= w.capacity() {
		w.room(total)
	}
	w.y += 8
	w.g.SetLineWidth(ruleWidth)
	for i := 0; i < len(sigs); i += 2 {
		h := rowH(i)
		w.room(h)
		for k := 0; k < 2 && i+k < len(sigs); k++ {
			x := w.left + float64(k)*col
			y := w.y + 8
			for j, l := range sigs[i+k].label {
				w.line(x, y+float64(j)*lh, col*0.55, l, size, Left)
			}
			ly := y + float64(len(sigs[i+k].label))*lh - 3
			w.g.Line(x+col*0.55, ly, x+col-12, ly)
			dy := y + float64(len(sigs[i+k].label))*lh
			w.line(x, dy, col*0.55, "日期：", size, Right)
			w.g.Line(x+col*0.55, dy+lh-3, x+col-12, dy+lh-3)
		}
		w.y += h
		w.filled = true
	}
	w.y += 4
}

func (w *writer) stamp(s Stamp) {
	t := strings.TrimSpace(w.clean(s.Text, false))
	note := w.clean(s.Note, true)
	width := w.right - w.left
	size := 40.0
	if tw := w.width(t, size); tw > width-60 && tw > 0 {
		size = math.Max(12, size*(width-60)/tw)
	}
	var tl []string
	if t != "" {
		tl = w.wrap(t, size, width-60)
	}
	noteLines := []string{}
	if strings.TrimSpace(note) != "" {
		noteLines = w.wrap(note, sizeBody, width)
	}
	boxH := float64(len(tl))*lineHeight(size) + 16
	total := 24 + boxH + float64(len(noteLines))*lineHeight(sizeBody)
	if total <= w.capacity() {
		w.room(total)
	}
	w.y += 12
	if len(tl) > 0 {
		if boxH > w.bottom-w.y {
			w.room(boxH)
		}
		bw := 0.0
		for _, l := range tl {
			bw = math.Max(bw, w.width(l, size))
		}
		bw += 48
		x := w.left + (width-bw)/2
		w.g.SetStrokeColor(200, 30, 30)
		w.g.SetLineWidth(2.5)
		w.g.RectFromUpperLeftWithStyle(x, w.y, bw, boxH, "D")
		w.g.SetLineWidth(ruleWidth)
		w.g.SetStrokeColor(0, 0, 0)
		w.g.SetTextColor(200, 30, 30)
		for j, l := range tl {
			w.line(x, w.y+8+float64(j)*lineHeight(size), bw, l, size, Center)
		}
		w.g.SetTextColor(0, 0, 0)
		w.y += boxH + 6
		w.filled = true
	}
	for _, l := range noteLines {
		w.room(lineHeight(sizeBody))
		w.line(w.left, w.y, width, l, sizeBody, Center)
		w.y += lineHeight(sizeBody)
		w.filled = true
	}
	w.y += 12
}
