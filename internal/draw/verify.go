package draw

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/tender"
)

// Report is what Verify found. OK means the draw was replayed from the
// audit log and everything agrees; before unsealing the seed is unknown
// and only the commitments and the shape of the call-out are checked.
type Report struct {
	DrawID      int64    `json:"draw_id"`
	OK          bool     `json:"ok"`
	Replayed    bool     `json:"replayed"` // the seed is revealed and every call was replayed
	Events      int      `json:"events"`   // audit events of the draw read
	Calls       int      `json:"calls"`
	Checked     []string `json:"checked"`     // what was checked and agreed
	Differences []string `json:"differences"` // every disagreement found
}

func (r *Report) ok(format string, a ...any) {
	r.Checked = append(r.Checked, fmt.Sprintf(format, a...))
}
func (r *Report) diff(format string, a ...any) {
	r.Differences = append(r.Differences, fmt.Sprintf(format, a...))
}

// Verify lets a supervisor check a draw in the UI (see the package
// function Verify).
func (s *Service) Verify(ctx context.Context, a auth.Actor, id int64) (Report, error) {
	if err := a.Authorize(auth.VerifyDraw); err != nil {
		return Report{}, err
	}
	r, err := getDraw(ctx, s.DB, id)
	if err != nil {
		return Report{}, err
	}
	p, err := tender.GetProject(ctx, s.DB, r.ProjectID)
	if err != nil {
		return Report{}, err
	}
	if !reads(a, p) {
		return Report{}, errs.E(errs.NotFound, "专家抽取记录不存在")
	}
	return Verify(ctx, s.DB, id)
}

// Verify replays draw id from the audit log alone — the quotas of the
// request, the pool digest and the seed commitment of the commit, the
// witness's contribution, the seed revealed at unsealing, and every call
// and answer in log order — and reports every difference from the rules
// and from what the database holds: the stored pool must hash to the
// logged digest and exclude every excluded expert, the seed must hash to
// the commitment, each call must be the next position its specialty's
// sequence allows, and the stored calls, outcomes and (once unsealed)
// experts must be the replayed ones. It needs no keys. It does not check
// the audit log's own hash chain; `ggzy audit verify` does.
func Verify(ctx context.Context, q db.Querier, id int64) (Report, error) {
	rep := Report{DrawID: id, Checked: []string{}, Differences: []string{}}
	r, err := getDraw(ctx, q, id)
	if err != nil {
		return rep, err
	}
	events, err := drawEvents(ctx, q, id)
	if err != nil {
		return rep, err
	}
	rep.Events = len(events)
	byAction := map[string][]audit.Event{}
	for _, e := range events {
		byAction[e.Action] = append(byAction[e.Action], e)
	}
	one := func(action string) (audit.Event, bool) {
		list := byAction[action]
		if len(list) > 1 {
			rep.diff("审计日志中有 %d 条 %s 事件（应至多 1 条）", len(list), action)
		}
		if len(list) == 0 {
			return audit.Event{}, false
		}
		return list[0], true
	}

	// The request: quotas.
	reqEv, ok := one("draw.request")
	if !ok {
		rep.diff("审计日志中没有抽取申请事件（draw.request）")
		return finish(rep), nil
	}
	quotas, err := quotasOf(reqEv.Details)
	if err != nil {
		rep.diff("抽取申请事件 #%d 的专业人数无法读取：%v", reqEv.Seq, err)
		return finish(rep), nil
	}
	if !sameQuotas(quotas, r.Req.Quotas) {
		rep.diff("数据库中的专业人数与审计日志的抽取申请（事件 #%d）不一致", reqEv.Seq)
	} else {
		rep.ok("专业与人数与抽取申请一致（%d 个专业）", len(quotas))
	}

	// The commit: pool digest, exclusions, commitment.
	commitEv, committed := one("draw.commit")
	if !committed {
		if r.State != Requested {
			rep.diff("抽取状态为「%s」，但审计日志中没有固定专家池的事件（draw.commit）", r.State.Label())
		} else {
			rep.ok("尚未固定专家池")
		}
		return finish(rep), nil
	}
	poolDigest, _ := hexOf(commitEv.Details, "pool_digest")
	commitment, _ := hexOf(commitEv.Details, "commitment")
	exclDigest, _ := hexOf(commitEv.Details, "exclusions_digest")
	pools, err := DecodePools(r.Pool)
	if err != nil {
		rep.diff("数据库中的专家池无法解码：%v", err)
	}
	if got := gm.SM3(r.Pool); len(poolDigest) != 32 || !slices.Equal(got[:], poolDigest) {
		rep.diff("数据库中的专家池摘要 %x 与审计日志（事件 #%d）记录的 %x 不符", got, commitEv.Seq, poolDigest)
	} else {
		rep.ok("专家池摘要与审计日志一致：%x", poolDigest)
	}
	if !slices.Equal(r.PoolDigest, poolDigest) {
		rep.diff("数据库中保存的专家池摘要与审计日志不符")
	}
	sizes, _ := commitEv.Details["pools"].(map[string]any)
	for _, pl := range pools {
		if n, err := numOf(sizes, pl.Specialty); err != nil || int(n) != len(pl.IDs) {
			rep.diff("专业 %s 的专家池人数 %d 与审计日志记录的 %v 不符", pl.Specialty, len(pl.IDs), sizes[pl.Specialty])
		}
	}
	excl, err := DecodeExclusions(r.Exclusions)
	if err != nil {
		rep.diff("数据库中的回避记录无法解码：%v", err)
	}
	if got := gm.SM3(r.Exclusions); !slices.Equal(got[:], exclDigest) {
		rep.diff("数据库中的回避记录摘要 %x 与审计日志记录的 %x 不符", got, exclDigest)
	} else {
		rep.ok("回避记录摘要与审计日志一致（%d 条）", len(excl))
	}
	inPool := map[int64]string{}
	for _, pl := range pools {
		for _, x := range pl.IDs {
			inPool[x] = pl.Specialty
		}
	}
	bad := 0
	for _, e := range excl {
		if spec, ok := inPool[e.ExpertID]; ok {
			bad++
			rep.diff("被回避的专家（编号 %d，%s）出现在专业 %s 的专家池中", e.ExpertID, e.Reason.Label(), spec)
		}
	}
	if bad == 0 {
		rep.ok("被回避的专家均不在专家池中")
	}
	if len(commitment) != 32 || !slices.Equal(commitment, r.Commitment) {
		rep.diff("数据库中的种子承诺与审计日志（事件 #%d）记录的不符", commitEv.Seq)
	}

	// The witness's contribution.
	witnessEv, witnessed := one("draw.witness")
	var contribution []byte
	if witnessed {
		contribution, _ = hexOf(witnessEv.Details, "contribution")
		if len(contribution) < MinContribution || !slices.Equal(contribution, r.Contribution) {
			rep.diff("见证随机数与审计日志（事件 #%d）记录的不符", witnessEv.Seq)
		} else {
			rep.ok("见证随机数与审计日志一致")
		}
	} else if r.State != Committed {
		rep.diff("抽取状态为「%s」，但审计日志中没有监督见证随机数（draw.witness）", r.State.Label())
	}

	// The seed, once revealed.
	var key *[32]byte
	if unsealEv, ok := one("draw.unseal"); ok {
		seed, _ := hexOf(unsealEv.Details, "seed")
		c := Commitment(seed)
		switch {
		case len(seed) != SeedLen:
			rep.diff("启封事件 #%d 中的种子长度不对", unsealEv.Seq)
		case !slices.Equal(c[:], commitment):
			rep.diff("启封时公布的种子的 SM3 %x 与抽取前的承诺 %x 不符", c, commitment)
		default:
			rep.ok("公布的种子与抽取前的承诺相符")
			k := Key(seed, contribution, [32]byte(padTo32(poolDigest)))
			key = &k
			rep.Replayed = witnessed
		}
		if !slices.Equal(seed, r.Seed) {
			rep.diff("数据库中的种子与启封事件 #%d 公布的不符", unsealEv.Seq)
		}
	} else {
		if !r.UnsealedAt.IsZero() {
			rep.diff("名单已启封，但审计日志中没有公布种子的启封事件（draw.unseal）")
		}
		if witnessed {
			rep.ok("名单尚未启封：种子未公布，只核对调用顺序的形式；启封后可完整重放")
		}
	}
	if !witnessed {
		return finish(rep), nil
	}

	// Replay the call-out in log order.
	l := newLedger(quotas, pools, key)
	type ref struct {
		spec string
		pos  int
	}
	calls := map[int64]ref{}
	for _, e := range events {
		var err error
		switch e.Action {
		case "draw.call", "draw.sent", "draw.answer", "draw.replace", "draw.short":
		default:
			continue
		}
		spec, _ := e.Details["specialty"].(string)
		pos64, _ := numOf(e.Details, "position")
		pos := int(pos64)
		switch e.Action {
		case "draw.call":
			list, ok := e.Details["calls"].([]any)
			if !ok || len(list) == 0 {
				err = fmt.Errorf("缺少通知列表")
				break
			}
			for _, x := range list {
				c, _ := x.(map[string]any)
				spec, _ := c["specialty"].(string)
				pos, perr := numOf(c, "position")
				if perr != nil {
					err = perr
					break
				}
				callID, _ := numOf(c, "call")
				calls[callID] = ref{spec, int(pos)}
				rep.Calls++
				if _, err = l.replay(spec, int(pos)); err != nil {
					break
				}
			}
		case "draw.sent":
			err = l.answer(spec, pos, Sent)
		case "draw.answer":
			res, _ := e.Details["result"].(string)
			st := CallState(res)
			if !answers[st] {
				err = fmt.Errorf("未知的答复结果 %q", res)
				break
			}
			err = l.answer(spec, pos, st)
		case "draw.replace":
			err = l.answer(spec, pos, Replaced)
		case "draw.short":
			missing, _ := numOf(e.Details, "missing")
			a, o := l.counts(spec)
			if q, ok := l.quota[spec]; !ok || o > 0 || int(missing) != q.Target()-a || (key != nil && l.anyLeft(spec)) {
				err = fmt.Errorf("报告专业 %s 缺 %d 人，但重放时该专业%s", spec, missing, shortWhy(l, spec, key != nil))
			}
		}
		if err != nil {
			rep.diff("审计事件 #%d（%s）：%v", e.Seq, e.Action, err)
		}
	}
	if len(rep.Differences) == 0 {
		rep.ok("审计日志中的 %d 次通知均符合抽取规则%s", rep.Calls, map[bool]string{true: "并与重放的序列一致", false: ""}[key != nil])
	}

	// What the database holds.
	stored, err := callsOf(ctx, q, id)
	if err != nil {
		return rep, err
	}
	if len(stored) != rep.Calls {
		rep.diff("数据库中有 %d 条通知记录，审计日志中有 %d 次通知", len(stored), rep.Calls)
	}
	mismatch := 0
	for _, c := range stored {
		at, ok := calls[c.ID]
		if !ok || at.spec != c.Specialty || at.pos != c.Position {
			rep.diff("通知记录 #%d（%s 第 %d 位）在审计日志中没有对应的通知事件", c.ID, c.Specialty, c.Position+1)
			mismatch++
			continue
		}
		if want := l.calls[c.Specialty][c.Position]; want != c.State {
			rep.diff("通知记录 #%d（%s 第 %d 位）的结果为「%s」，审计日志重放为「%s」", c.ID, c.Specialty, c.Position+1,
				c.State.Label(), want.Label())
			mismatch++
		}
		if key != nil && c.ExpertID != 0 {
			if want, _ := l.seq[c.Specialty].At(c.Position); want != c.ExpertID {
				rep.diff("通知记录 #%d 的专家（编号 %d）不是序列 %s 第 %d 位的专家（编号 %d）", c.ID, c.ExpertID, c.Specialty,
					c.Position+1, want)
				mismatch++
			}
		}
	}
	if mismatch == 0 && len(stored) == rep.Calls {
		rep.ok("数据库中的通知记录与审计日志一致（%d 条）", len(stored))
	}
	if st := l.state(); st != r.State && (r.State == Calling || r.State == Complete || r.State == Short) {
		rep.diff("抽取状态为「%s」，按审计日志重放应为「%s」", r.State.Label(), st.Label())
	}
	return finish(rep), nil
}

func shortWhy(l *ledger, spec string, seeded bool) string {
	if _, ok := l.quota[spec]; !ok {
		return "不在抽取需求中"
	}
	a, o := l.counts(spec)
	switch {
	case o > 0:
		return fmt.Sprintf("仍有 %d 人待答复", o)
	case seeded && l.anyLeft(spec):
		return "序列中仍有可通知的专家"
	}
	return fmt.Sprintf("应缺 %d 人", l.quota[spec].Target()-a)
}

func finish(r Report) Report {
	r.OK = r.Replayed && len(r.Differences) == 0
	return r
}

// drawEvents reads every audit event of the draw, oldest first.
func drawEvents(ctx context.Context, q db.Querier, id int64) ([]audit.Event, error) {
	var out []audit.Event
	var before int64
	for {
		page, err := audit.List(ctx, q, audit.Filter{ObjectType: "draw", ObjectID: itoa(id), BeforeSeq: before, Limit: 1000})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 1000 {
			break
		}
		before = page[len(page)-1].Seq
	}
	slices.Reverse(out)
	return out, nil
}

// quotasOf reads the quotas of a draw.request event.
func quotasOf(d map[string]any) ([]Quota, error) {
	m, ok := d["quotas"].(map[string]any)
	if !ok || len(m) == 0 {
		return nil, fmt.Errorf("缺少 quotas")
	}
	var out []Quota
	for spec, v := range m {
		x, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("专业 %s 的人数格式不对", spec)
		}
		f, err1 := numOf(x, "formal")
		a, err2 := numOf(x, "alternates")
		if err1 != nil || err2 != nil || f < 0 || a < 0 || f > 1000 || a > 1000 {
			return nil, fmt.Errorf("专业 %s 的人数格式不对", spec)
		}
		out = append(out, Quota{Specialty: spec, Formal: int(f), Alternates: int(a)})
	}
	slices.SortFunc(out, func(a, b Quota) int {
		if a.Specialty < b.Specialty {
			return -1
		}
		return 1
	})
	return out, nil
}

func sameQuotas(a, b []Quota) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Specialty != b[i].Specialty || a[i].Formal != b[i].Formal || a[i].Alternates != b[i].Alternates {
			return false
		}
	}
	return true
}

func numOf(d map[string]any, key string) (int64, error) {
	switch v := d[key].(type) {
	case json.Number:
		return v.Int64()
	case float64:
		return int64(v), nil
	case string:
		return strconv.ParseInt(v, 10, 64)
	}
	return 0, fmt.Errorf("缺少 %s", key)
}

func hexOf(d map[string]any, key string) ([]byte, error) {
	s, _ := d[key].(string)
	return hex.DecodeString(s)
}

func padTo32(b []byte) []byte {
	out := make([]byte, 32)
	copy(out, b)
	return out
}
