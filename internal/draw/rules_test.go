package draw

import (
	"strings"
	"testing"
	"time"

	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

func TestCheckPanel(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Panel
		rule string // "" = lawful
	}{
		{"five experts", Panel{Kind: tender.Construction, Experts: 5}, ""},
		{"four experts and one representative", Panel{Kind: tender.Construction, Experts: 4, TendererReps: 1}, ""},
		{"three and two: experts below two thirds", Panel{Kind: tender.Construction, Experts: 3, TendererReps: 2}, "A15"},
		{"four: too few", Panel{Kind: tender.Construction, Experts: 4}, "A15"},
		{"six: even", Panel{Kind: tender.Construction, Experts: 6}, "A15"},
		{"five and two: seven, 5/7 ≥ 2/3", Panel{Kind: tender.Construction, Experts: 5, TendererReps: 2}, ""},
		{"six and three: nine, 6/9 = 2/3 exactly", Panel{Kind: tender.Construction, Experts: 6, TendererReps: 3}, ""},
		{"no experts", Panel{Kind: tender.Construction, TendererReps: 5}, "A15"},
		{"procurement five", Panel{Kind: tender.Procurement, Experts: 5, Budget: 999 * money.OneWan}, ""},
		{"procurement 1000万 needs seven", Panel{Kind: tender.Procurement, Experts: 5, Budget: 1000 * money.OneWan}, "C12"},
		{"procurement 1000万 with seven", Panel{Kind: tender.Procurement, Experts: 6, TendererReps: 1, Budget: 1000 * money.OneWan}, ""},
		{"procurement complex needs seven", Panel{Kind: tender.Procurement, Experts: 5, Complex: true}, "C12"},
		{"procurement even", Panel{Kind: tender.Procurement, Experts: 8}, "C12"},
		{"construction large budget: five is enough", Panel{Kind: tender.Construction, Experts: 5, Budget: 5000 * money.OneWan}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPanel(tc.p)
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := errs.As(err)
			if err == nil || e.Code != errs.Rule || e.RuleID != tc.rule {
				t.Fatalf("got %v, want a %s violation", err, tc.rule)
			}
			if !strings.Contains(e.Message, "《") {
				t.Errorf("message cites no source: %s", e.Message)
			}
		})
	}
}

func TestCheckTiming(t *testing.T) {
	cal := calendar.Default()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	// 2026-12-04 is a Friday.
	for _, tc := range []struct {
		name       string
		kind       tender.TradeKind
		now, start string
		rule       string
		code       errs.Code
	}{
		{"procurement, two working days before", tender.Procurement, "2026-12-02 09:00", "2026-12-04 09:00", "", ""},
		{"procurement, the same day", tender.Procurement, "2026-12-04 08:00", "2026-12-04 09:00", "", ""},
		{"procurement, three working days before", tender.Procurement, "2026-12-01 17:00", "2026-12-04 09:00", "C13", errs.Rule},
		{"procurement, Friday for Monday (weekend not counted)", tender.Procurement, "2026-12-04 10:00", "2026-12-07 09:00", "", ""},
		{"procurement, Thursday for Monday", tender.Procurement, "2026-12-03 10:00", "2026-12-07 09:00", "", ""},
		{"procurement, Wednesday for Monday", tender.Procurement, "2026-12-02 10:00", "2026-12-07 09:00", "C13", errs.Rule},
		{"construction, a week before", tender.Construction, "2026-11-27 09:00", "2026-12-04 09:00", "", ""},
		{"after the start", tender.Construction, "2026-12-04 09:30", "2026-12-04 09:00", "", errs.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTiming(cal, tc.kind, at(tc.now), at(tc.start), DefaultLeadDays)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if errs.CodeOf(err) != tc.code || errs.As(err).RuleID != tc.rule {
				t.Fatalf("got %v, want %s %s", err, tc.code, tc.rule)
			}
		})
	}
}

func TestParseContribution(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int // bytes; 0 = refused
		want string
	}{
		{"00112233445566778899aabbccddeeff", 16, ""},
		{"0x00112233445566778899AABBCCDDEEFF", 16, ""},
		{"0011 2233 4455 6677-8899 aabb ccdd eeff", 16, ""},
		{strings.Repeat("ab", 64), 64, ""},
		{strings.Repeat("ab", 65), 0, "过长"},
		{strings.Repeat("ab", 15), 0, "太短"},
		{"xyz", 0, "十六进制"},
		{"abc", 0, "十六进制"},
		{"", 0, "太短"},
		{strings.Repeat("a", 10000), 0, "过长"},
	} {
		b, err := ParseContribution(tc.in)
		if tc.n == 0 {
			if err == nil || !strings.Contains(errs.As(err).Fields[0].Message, tc.want) {
				t.Errorf("%q: %v, want a reason with %q", tc.in, err, tc.want)
			}
			continue
		}
		if err != nil || len(b) != tc.n {
			t.Errorf("%q: %x, %v", tc.in, b, err)
		}
	}
}

func FuzzParseContribution(f *testing.F) {
	f.Add("00112233445566778899aabbccddeeff")
	f.Add("0x")
	f.Add("zz")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseContribution(s)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("code %s", errs.CodeOf(err))
			}
			return
		}
		if len(b) < MinContribution || len(b) > MaxContribution {
			t.Fatalf("accepted %d bytes", len(b))
		}
	})
}

func TestInvitationTextSaysOnlyWhenWhereWhat(t *testing.T) {
	start := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	text := InvitationText(start, start.Add(8*time.Hour), "昭通市公共资源交易中心第一评标室", "A0801", "房屋建筑", 30*time.Minute)
	for _, want := range []string{"2026年12月3日 09:00", "17:00", "第一评标室", "A0801 房屋建筑", "30 分钟"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q: %s", want, text)
		}
	}
}
