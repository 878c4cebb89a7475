package pdf

import (
	"math"
	"strings"
)

// tableLayout is a table measured for drawing.
type tableLayout struct {
	widths []float64
	align  []Align
	header [][]string // lines per header cell; nil without a header row
	headH  float64
	empty  bool // the rows are one full-width "Empty" cell
}

func (w *writer) table(t Table) {
	ncol := len(t.Headers)
	for _, r := range t.Rows {
		ncol = max(ncol, len(r))
	}
	if ncol == 0 {
		return
	}
	size := sizeTable
	lh := lineHeight(size)
	width := w.right - w.left

	cell := func(row []string, i int) string {
		if i < len(row) {
			return w.clean(row[i], true)
		}
		return ""
	}
	headers := make([]string, ncol)
	hasHeader := false
	for i := range headers {
		headers[i] = cell(t.Headers, i)
		if strings.TrimSpace(headers[i]) != "" {
			hasHeader = true
		}
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]string, ncol)
		for j := range rows[i] {
			rows[i][j] = cell(r, j)
		}
	}

	L := tableLayout{align: make([]Align, ncol)}
	for i := range L.align {
		if i < len(t.Align) && t.Align[i] >= Left && t.Align[i] <= Right {
			L.align[i] = t.Align[i]
		}
	}
	L.widths = w.columnWidths(t.Widths, headers, rows, size, width)

	if hasHeader {
		L.header = make([][]string, ncol)
		n := 1
		for i, h := range headers {
			L.header[i] = w.wrap(h, size, L.widths[i]-2*padX)
			n = max(n, len(L.header[i]))
		}
		// A header taller than a third of a page is cut, so rows always
		// have room below it.
		if limit := int(w.capacity() / 3 / lh); n > limit {
			n = max(limit, 1)
			for i := range L.header {
				if len(L.header[i]) > n {
					L.header[i] = L.header[i][:n]
					L.header[i][n-1] = w.fit(L.header[i][n-1]+"…", size, L.widths[i]-2*padX)
				}
			}
		}
		L.headH = float64(n)*lh + 2*padY
	}

	if len(rows) == 0 {
		empty := w.clean(t.Empty, true)
		if strings.TrimSpace(empty) == "" {
			empty = "（无）"
		}
		rows = [][]string{{empty}}
		L.empty = true
	}

	w.y += 2
	for ri, row := range rows {
		var lines [][]string
		n := 1
		if L.empty {
			lines = [][]string{w.wrap(row[0], size, width-2*padX)}
			n = len(lines[0])
		} else {
			lines = make([][]string, ncol)
			for i, c := range row {
				lines[i] = w.wrap(c, size, L.widths[i]-2*padX)
				n = max(n, len(lines[i]))
			}
		}
		rowH := float64(n)*lh + 2*padY
		fits := w.y+rowH <= w.bottom
		if ri == 0 {
			// Keep the header with the first row (or its first lines).
			need := L.headH + math.Min(rowH, lh+2*padY)
			if w.y+need > w.bottom && w.filled {
				w.newPage()
			}
			w.tableHeader(&L)
			fits = w.y+rowH <= w.bottom
		}
		if !fits && rowH <= w.capacity()-L.headH {
			w.newPage()
			w.tableHeader(&L)
			fits = true
		}
		if fits {
			w.tableRow(&L, lines, 0, n)
			continue
		}
		// A row taller than the room left: split it between lines.
		for from := 0; from < n; {
			k := int((w.bottom - w.y - 2*padY) / lh)
			if k < 1 {
				w.newPage()
				w.tableHeader(&L)
				continue
			}
			k = min(k, n-from)
			w.tableRow(&L, lines, from, from+k)
			from += k
		}
	}
	w.y += 6
}

// tableHeader draws the header row (if any) at y.
func (w *writer) tableHeader(L *tableLayout) {
	if L.header == nil {
		return
	}
	size := sizeTable
	lh := lineHeight(size)
	x := w.left
	w.g.SetLineWidth(ruleWidth)
	w.g.SetStrokeColor(0, 0, 0)
	for i, cw := range L.widths {
		// Text sets the fill colour too (PDF text colour is the fill
		// colour), so set it before every filled cell.
		w.g.SetFillColor(232, 232, 232)
		w.g.RectFromUpperLeftWithStyle(x, w.y, cw, L.headH, "FD")
		n := len(L.header[i])
		top := w.y + padY + (L.headH-2*padY-float64(n)*lh)/2
		for j, l := range L.header[i] {
			w.line(x+padX, top+float64(j)*lh, cw-2*padX, l, size, Center)
		}
		x += cw
	}
	w.y += L.headH
	w.filled = true
}

// tableRow draws lines [from, to) of each cell as one ruled row at y.
func (w *writer) tableRow(L *tableLayout, lines [][]string, from, to int) {
	size := sizeTable
	lh := lineHeight(size)
	h := float64(to-from)*lh + 2*padY
	w.g.SetLineWidth(ruleWidth)
	w.g.SetStrokeColor(0, 0, 0)
	if L.empty {
		total := w.right - w.left
		w.g.RectFromUpperLeftWithStyle(w.left, w.y, total, h, "D")
		for j := from; j < to && j < len(lines[0]); j++ {
			w.line(w.left+padX, w.y+padY+float64(j-from)*lh, total-2*padX, lines[0][j], size, Center)
		}
		w.y += h
		w.filled = true
		return
	}
	x := w.left
	for i, cw := range L.widths {
		w.g.RectFromUpperLeftWithStyle(x, w.y, cw, h, "D")
		for j := from; j < to && j < len(lines[i]); j++ {
			w.line(x+padX, w.y+padY+float64(j-from)*lh, cw-2*padX, lines[i][j], size, L.align[i])
		}
		x += cw
	}
	w.y += h
	w.filled = true
}

// columnWidths returns absolute column widths adding up to total: the
// caller's relative widths when usable, else widths from the content — each
// column gets at least its widest unbreakable piece (capped) and the space
// left is shared in proportion to how much more a column would like.
func (w *writer) columnWidths(rel []float64, headers []string, rows [][]string, size, total float64) []float64 {
	n := len(headers)
	if len(rel) == n {
		sum, ok := 0.0, true
		for _, r := range rel {
			if !(r > 0) || math.IsInf(r, 0) {
				ok = false
				break
			}
			sum += r
		}
		if ok && sum > 0 && !math.IsInf(sum, 0) {
			out := make([]float64, n)
			for i, r := range rel {
				out[i] = total * r / sum
			}
			return out
		}
	}
	natural := make([]float64, n)
	least := make([]float64, n)
	measure := func(i int, s string) {
		for _, l := range strings.Split(s, "\n") {
			natural[i] = math.Max(natural[i], w.width(l, size))
		}
		for _, u := range units(s) {
			least[i] = math.Max(least[i], math.Min(w.width(u, size), total/4))
		}
	}
	for i, h := range headers {
		measure(i, h)
	}
	for _, r := range rows {
		for i, c := range r {
			measure(i, c)
		}
	}
	var sumN, sumL float64
	for i := range natural {
		least[i] = math.Max(least[i], 2*size) + 2*padX // at least two Chinese characters
		natural[i] = math.Max(natural[i]+2*padX, least[i])
		sumN += natural[i]
		sumL += least[i]
	}
	out := make([]float64, n)
	switch {
	case sumN <= total:
		for i := range out {
			out[i] = natural[i] * total / sumN
		}
	case sumL >= total:
		for i := range out {
			out[i] = least[i] * total / sumL
		}
	default:
		f := (total - sumL) / (sumN - sumL)
		for i := range out {
			out[i] = least[i] + (natural[i]-least[i])*f
		}
	}
	return out
}
