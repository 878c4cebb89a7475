package pdf

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// FuzzRender renders documents built from arbitrary strings: no input may
// panic, hang or give anything but a PDF.
func FuzzRender(f *testing.F) {
	r := renderer(f)
	f.Add("开标记录表", "投标人\n名称", "¥1,234,567.89", "BX530602-2026-0001", uint8(0), 1.0)
	f.Add("", "", "", "", uint8(255), 0.0)
	f.Add(strings.Repeat("很长的标题", 50), strings.Repeat("x", 500), "😀\x00\xff\r\n\t\u200b", "，。", uint8(7), math.NaN())
	f.Add("a", strings.Repeat("行\n", 200), "b", "c", uint8(3), -1.0)
	f.Add("Title", "密封", "\u202e\u0301\ufffd", strings.Repeat(" ", 100), uint8(42), math.Inf(1))
	f.Fuzz(func(t *testing.T, title, a, b, c string, shape uint8, wd float64) {
		fuzzOne(t, r, title, a, b, c, shape, wd)
	})
}

// fuzzOne renders one document made of the fuzzer's values.
func fuzzOne(t *testing.T, r *Renderer, title, a, b, c string, shape uint8, wd float64) {
	d := Doc{
		Title:     title,
		Subtitle:  c,
		Meta:      [][2]string{{a, b}, {c, title}},
		Footer:    b,
		Verify:    c,
		Landscape: shape&1 != 0,
	}
	if shape&2 != 0 {
		d.Watermark = a
	}
	ncol := int(shape>>2)%9 + 1
	tb := Table{Headers: make([]string, ncol), Empty: c}
	if shape&4 != 0 {
		tb.Widths = make([]float64, ncol)
		for i := range tb.Widths {
			tb.Widths[i] = wd + float64(i)
		}
	}
	for i := range tb.Headers {
		tb.Headers[i] = []string{a, b, c}[i%3]
	}
	if shape&8 == 0 {
		for i := 0; i < int(shape%5)*3; i++ {
			row := make([]string, (i+ncol)%(ncol+2))
			for j := range row {
				row[j] = []string{b, c, a, title}[(i+j)%4]
			}
			tb.Rows = append(tb.Rows, row)
		}
	}
	tb.Align = []Align{Align(shape % 4), Right, Center, Align(-1)}
	d.Blocks = []Block{
		Heading{Text: a},
		Para{Text: b, Small: shape&16 != 0, Align: Align(shape % 3)},
		tb,
		Fields{Items: [][2]string{{c, a}}},
		Signatures{Labels: []string{a, b, c}},
		Stamp{Text: c, Note: a},
		PageBreak{},
		&Para{Text: title},
		nil,
	}
	out, err := r.Render(d)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF-")) || !bytes.HasSuffix(out, []byte("%%EOF\n")) {
		t.Fatal("not a PDF")
	}
}
