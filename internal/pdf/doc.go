// Package pdf renders the platform's official documents — the opening record
// (开标记录表), the sealed expert list (密封专家名单) and others — as real PDF
// files with embedded, subset Chinese fonts whose text can be extracted,
// searched and copied.
//
// A document is a Doc: a title block (title, subtitle, label/value lines),
// then Blocks in order (Heading, Para, Fields, Table, Signatures, Stamp,
// PageBreak), and on every page a footer with the caller's text, an optional
// verification line and "第 i 页 / 共 n 页". Tables wrap long cell text inside
// the cell, break across pages between (or, if one row is taller than a page,
// inside) rows and repeat their header row on every page.
//
// Fonts are TrueType (.ttf with glyf outlines; not .ttc collections, not
// CFF-based .otf). The Chinese font comes from Options.FontPath, else the
// GGZY_PDF_FONT environment variable, else a short list of system paths
// (Debian: fonts-droid-fallback). DroidSansFallback has no Latin letters or
// digits, so a second font supplies those: Options.LatinFontPath, else
// GGZY_PDF_LATIN_FONT, else system paths (Debian: fonts-dejavu-core). Each
// character is drawn from the Chinese font if it has the glyph, else from the
// Latin font; a character neither has is drawn as "□". See docs/pdf.md.
//
// Output is deterministic: the same Doc and the same font files give the
// same bytes (no random ids, no clock; the creation date is Doc.Created, or
// absent). A signature over the bytes (Digest, gm.Sign) can therefore be
// checked again by rendering the stored input once more, as long as the
// ggzy build (library and Go version, which compresses the streams) and the
// font files are the same.
package pdf

import "time"

// Doc is one document.
type Doc struct {
	Title    string      // big centred title, wraps when long
	Subtitle string      // centred under the title
	Meta     [][2]string // label/value lines under the title (项目名称, 项目编号, 标段, 开标时间 …)
	Blocks   []Block     // the body, in order

	// Footer is printed at the bottom left of every page, left of the page
	// number, e.g. "昭通市公共资源交易中心 · 生成于 2026-11-25 10:00". It is cut
	// with "…" if it does not fit on one line.
	Footer string
	// Verify is an optional line above the footer on every page telling the
	// reader how to check the document, e.g. "文件编号 KB-2026-0001 · SM3 …
	// · 可在平台“文件核验”中核验". It wraps to at most three lines.
	Verify string
	// Watermark is optional text drawn large, light and diagonally behind the
	// content of every page, e.g. "密封".
	Watermark string

	Landscape bool      // A4 landscape instead of portrait (wide tables)
	Created   time.Time // creation date in the PDF information; zero: none (the output stays reproducible either way)
	Author    string    // PDF information /Author, e.g. the centre's name; optional
}

// Block is one element of a document's body: Table, Para, Heading, Fields,
// Signatures, Stamp or PageBreak (values or pointers).
type Block interface{ block() }

// Align is the horizontal alignment of a table column.
type Align int

const (
	Left Align = iota
	Center
	Right
)

// Table is a ruled table. Columns are as many as the longest of Headers and
// the rows; missing cells are empty. Text wraps inside its cell; "\n" starts
// a new line. A table with headers and no rows shows Empty (default "（无）")
// in one full-width row.
type Table struct {
	Headers []string
	// Widths are relative column widths (any positive numbers, one per
	// column). If their count does not match the columns or one is not
	// positive, widths are derived from the content instead.
	Widths []float64
	Rows   [][]string
	// Align per column; missing entries are Left. Header cells are centred.
	Align []Align
	Empty string // text of the only row of a table without rows; "" means "（无）"
}

// Para is a paragraph of running text; "\n" starts a new line.
type Para struct {
	Text  string
	Small bool  // smaller type, e.g. notes and confirmations
	Align Align // Left (default), Center or Right
}

// Heading is a section heading; it is kept on the same page as what follows.
type Heading struct{ Text string }

// Fields is a block of label/value lines like Doc.Meta, anywhere in the body
// (e.g. 打印人 / 打印时间 on a cover sheet).
type Fields struct{ Items [][2]string }

// Signatures draws a line to sign or stamp on for each label (签字/签章),
// two to a row, each with a date line; the block is kept on one page.
type Signatures struct{ Labels []string }

// Stamp is a large framed marking such as "密  封", centred, with an optional
// line of small text under it.
type Stamp struct {
	Text string
	Note string
}

// PageBreak starts a new page (e.g. after a cover sheet). A break at the top
// of a page does nothing, so no empty page is made.
type PageBreak struct{}

func (Table) block()      {}
func (Para) block()       {}
func (Heading) block()    {}
func (Fields) block()     {}
func (Signatures) block() {}
func (Stamp) block()      {}
func (PageBreak) block()  {}
