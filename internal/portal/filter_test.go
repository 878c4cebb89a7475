package portal

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"ggzy/internal/errs"
)

func TestParseFilter(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  Filter
		field string // the field named in the error, "" = valid
	}{
		{"", Filter{Limit: DefaultLimit}, ""},
		{"trade_kind=land&kind=listing&region=530600&limit=50",
			Filter{TradeKind: "land", Kind: "listing", Region: "530600", Limit: 50}, ""},
		{"from=2026-11-01&to=2026-11-01", Filter{From: beijing(2026, 11, 1, 0, 0, 0).UTC(),
			To: beijing(2026, 11, 2, 0, 0, 0).UTC(), Limit: DefaultLimit}, ""},
		{"q=%E3%80%80%E5%85%AC%E8%B7%AF%20%20%E6%94%B9%E9%80%A0", Filter{Query: "\u3000公路  改造", Limit: DefaultLimit}, ""},
		{"trade_kind=mining", Filter{}, "trade_kind"},
		{"kind=advert", Filter{}, "kind"},
		{"region=5306", Filter{}, "region"},
		{"region=990000", Filter{}, "region"},
		{"from=2026-13-01", Filter{}, "from"},
		{"to=yesterday", Filter{}, "to"},
		{"from=2026-11-02&to=2026-11-01", Filter{}, "to"},
		{"limit=0", Filter{}, "limit"},
		{"limit=101", Filter{}, "limit"},
		{"limit=ten", Filter{}, "limit"},
		{"after=x123", Filter{}, "after"},
		{"after=t-1.2", Filter{}, "after"},
		{"q=%E8%B7%AF", Filter{}, "q"},
		{"q=" + url.QueryEscape(strings.Repeat("一", MaxQueryRunes+1)), Filter{}, "q"},
		{"q=%FF%FE", Filter{}, "q"},
	} {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFilter(q)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.query, err)
			} else if !reflect.DeepEqual(f, tc.want) {
				t.Errorf("%s: %+v, want %+v", tc.query, f, tc.want)
			}
			continue
		}
		e := errs.As(err)
		if e == nil || e.Code != errs.Invalid || len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
			t.Errorf("%s: got %v, want an error on %s", tc.query, err, tc.field)
		}
	}
}

// FuzzParseFilter: any query string parses or is refused with field
// errors, never a panic; a parsed filter is valid and survives Values.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"", "trade_kind=land&region=530600", "from=2026-01-01&to=2026-12-31&q=公路 改造",
		"after=t123.4&limit=5", "after=k99", "q=%00%22OR%22", "region=530602&kind=result"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, err := ParseFilter(q)
		if err != nil {
			if e := errs.As(err); e.Code != errs.Invalid || len(e.Fields) == 0 {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		if err := flt.Validate(); err != nil {
			t.Fatalf("parsed filter invalid: %v", err)
		}
		again, err := ParseFilter(flt.Values())
		if err != nil {
			t.Fatalf("Values() of %q does not parse: %v", raw, err)
		}
		flt.After, flt.Limit, again.Limit = "", 0, 0
		flt.Query = normalizeQuery(flt.Query)
		if !reflect.DeepEqual(flt, again) {
			t.Fatalf("round trip of %q: %+v became %+v", raw, flt, again)
		}
	})
}

// FuzzCursor: a cursor parses only in its one canonical spelling.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{"t1795474703974725.19981", "k1789322851819065", "t0.0", "k", "t1.", "t01.1", "k+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCursor(s)
		if err != nil {
			return
		}
		if c.String() != s {
			t.Fatalf("%q parsed as %+v, which prints as %q", s, c, c.String())
		}
	})
}
