package expert

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// The draw's side of the library: the eligible pool after avoidance, the
// contact of a drawn expert, and engagements. These are system calls for
// internal/draw, which authorizes its own use cases; they take a Querier
// or the draw's transaction so the pool is read in the same snapshot the
// draw commits to.

// CheckPoolQuery validates a pool request: a known specialty, at least one
// valid centre, an evaluation period that ends after it starts, and sane
// limits.
func CheckPoolQuery(q PoolQuery) error {
	var f errs.Fields
	if err := taxonomy.Check(NormalizeCode(q.Specialty)); err != nil {
		f.Add("specialty", "%s", errs.As(err).Message)
	}
	if len(q.Centres) == 0 {
		f.Add("centres", "至少选择一个交易中心的专家")
	}
	for _, c := range q.Centres {
		if err := centre.ValidateCode(c); err != nil {
			f.Add("centres", "交易中心 %s：%s", clip(c, 10), errs.As(err).Message)
		}
	}
	if q.From.IsZero() || !q.To.After(q.From) {
		f.Add("to", "评标结束时间须晚于开始时间")
	}
	if q.At.IsZero() {
		f.Add("at", "缺少当前时间")
	}
	if q.MaxServes < 0 || q.ServesMonths < 0 || q.MaxAge < 0 || q.MaxAge > 120 {
		f.Add("limits", "回避参数无效：次数、月数和年龄上限不能为负数，年龄上限不超过120")
	}
	return f.Err()
}

// Pool returns the eligible experts' ids sorted ascending and every
// exclusion with its reason (an expert excluded for several reason codes
// appears once per code). Candidates are the experts holding a specialty
// under pq.Specialty whose home centre is one of pq.Centres; the rules are
// Avoid's (rules.go). It is Pools for one specialty.
func (s *Service) Pool(ctx context.Context, q db.Querier, pq PoolQuery) (eligible []int64, excluded []Exclusion, err error) {
	out, excluded, err := s.Pools(ctx, q, pq, []string{pq.Specialty})
	if err != nil {
		return nil, nil, err
	}
	return orEmpty(out[pq.Specialty]), excluded, nil
}

// poolDirect is Pool from the database alone, without the cache: the
// candidates from the covering index, their facts in one statement.
func (s *Service) poolDirect(ctx context.Context, q db.Querier, pq PoolQuery) (eligible []int64, excluded []Exclusion, err error) {
	pq.Specialty = NormalizeCode(pq.Specialty)
	if err := CheckPoolQuery(pq); err != nil {
		return nil, nil, err
	}
	ps, err := parties(ctx, q, pq)
	if err != nil {
		return nil, nil, err
	}
	cands, err := candidates(ctx, q, pq, ps)
	if err != nil {
		return nil, nil, err
	}
	facts, err := loadFacts(ctx, q, pq, ps, cands)
	if err != nil {
		return nil, nil, err
	}
	eligible, excluded = Avoid(cands, facts, pq)
	return orEmpty(eligible), orEmpty(excluded), nil
}

// candidates reads the experts of the specialty and centres from the
// covering index expert_specialties_pool (one seek per centre, a short
// range of codes each). The plainly eligible — active, not 失信, young
// enough, working for none of the parties — come back as one aggregated
// list of ids (no round trip per row, the common case), and get the neutral
// standing (active, no employer among the parties, no birth date to
// check), which is exactly what the query established; the few others
// come in a second list of the same scan with their standing. The rules
// then look at everyone's ties and bookings.
func candidates(ctx context.Context, q db.Querier, pq PoolQuery, parties []Party) ([]Candidate, error) {
	lo, hi := prefixRange(pq.Specialty)
	ph, cargs := inList(uniqueStrings(pq.Centres))
	where := "s.centre_code IN (" + ph + ") AND s.code >= ? AND s.code < ?"
	// Age: at least MaxAge on the evaluation day means born on or before
	// that day MaxAge years earlier.
	oldest := int64(-1 << 62)
	if pq.MaxAge > 0 {
		oldest = db.Micros(day(pq.From).AddDate(-pq.MaxAge, 0, 0))
	}
	var codes []string
	for _, p := range parties {
		codes = append(codes, p.CreditCode)
	}
	codes = uniqueStrings(codes)
	odd := "s.status <> 'active' OR s.dishonest = ? OR s.birth_date <= ?"
	oddArgs := []any{true, oldest}
	if len(codes) > 0 {
		eph, eargs := inList(codes)
		odd += " OR s.employer_code IN (" + eph + ")"
		oddArgs = append(oddArgs, eargs...)
	}

	// One scan, two lists: the plain ids, and the others with their
	// standing ("id:status:dishonest:birth:from:until:employer").
	plainAgg, otherAgg := "group_concat(CASE WHEN "+odd+" THEN NULL ELSE s.expert_id END)",
		"group_concat(CASE WHEN "+odd+" THEN s.expert_id || ':' || s.status || ':' || s.dishonest || ':' || s.birth_date || ':' || "+
			"s.suspended_from || ':' || s.suspended_until || ':' || s.employer_code END, ';')"
	if q.Dialect() == db.Postgres {
		plainAgg, otherAgg = "string_agg(CASE WHEN "+odd+" THEN NULL ELSE s.expert_id::text END, ',')",
			"string_agg(CASE WHEN "+odd+" THEN s.expert_id || ':' || s.status || ':' || s.dishonest::int || ':' || s.birth_date || ':' || "+
				"s.suspended_from || ':' || s.suspended_until || ':' || s.employer_code END, ';')"
	}
	var plainList, otherList []byte
	qargs := append(append(append([]any(nil), oddArgs...), oddArgs...), append(cargs, lo, hi)...)
	if err := q.QueryRow(ctx, "SELECT "+plainAgg+", "+otherAgg+" FROM expert_specialties s WHERE "+where, qargs...).Scan(&plainList,
		&otherList); err != nil {
		return nil, err
	}
	plain, err := parseIDs(plainList)
	if err != nil {
		return nil, err
	}
	others, err := parseOthers(otherList)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(others, byID)

	// Merge the two by id (sorting bare ids is cheap); an expert matched
	// through two specialties comes twice and Avoid keeps one.
	slices.Sort(plain)
	out := make([]Candidate, 0, len(plain)+len(others))
	i, j := 0, 0
	for i < len(plain) || j < len(others) {
		if j == len(others) || i < len(plain) && plain[i] < others[j].ID {
			out = append(out, Candidate{ID: plain[i], Status: Active})
			i++
		} else {
			out = append(out, others[j])
			j++
		}
	}
	return out, nil
}

// parseIDs reads a comma-separated list of ids; nil is none.
func parseIDs(b []byte) ([]int64, error) {
	if len(b) == 0 {
		return nil, nil
	}
	out := make([]int64, 0, len(b)/6+1)
	var n int64
	digits := 0
	for _, c := range append(b, ',') {
		switch {
		case c >= '0' && c <= '9':
			n, digits = n*10+int64(c-'0'), digits+1
		case c == ',' && digits > 0 && digits < 19:
			out = append(out, n)
			n, digits = 0, 0
		default:
			return nil, errs.E(errs.Internal, "专家池读取失败")
		}
	}
	return out, nil
}

// parseOthers reads the standing of the experts who are not plainly
// eligible: "id:status:dishonest:birth:from:until:employer" joined by ";".
func parseOthers(b []byte) ([]Candidate, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var out []Candidate
	bad := errs.E(errs.Internal, "专家池读取失败")
	for _, item := range strings.Split(string(b), ";") {
		f := strings.SplitN(item, ":", 7)
		if len(f) != 7 {
			return nil, bad
		}
		var n [5]int64
		for k, v := range []string{f[0], f[3], f[4], f[5]} {
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, bad
			}
			n[k] = x
		}
		c := Candidate{ID: n[0], Status: Status(f[1]), Dishonest: f[2] == "1", Birth: db.Time(n[1]), EmployerCode: f[6]}
		if n[2] != 0 {
			c.SuspendedFrom = db.Time(n[2])
		}
		if n[3] != 0 {
			c.SuspendedUntil = db.Time(n[3])
		}
		out = append(out, c)
	}
	return out, nil
}

func uniqueStrings(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// loadFacts reads what the rules need about the candidates in one
// statement (each statement costs a parse and a plan on every call): past
// employments at and relations to the parties, leave and bookings around
// the period, penalties, and services to the tenderer. Each part is
// narrowed by a covering index; rows of experts who are not candidates
// are dropped here.
func loadFacts(ctx context.Context, q db.Querier, pq PoolQuery, ps []Party, cands []Candidate) (Facts, error) {
	f := Facts{Parties: ps, PastJobs: map[int64][]PastJob{}, Relations: map[int64][]Relation{}, Leaves: map[int64][]Period{},
		Barred: map[int64][]time.Time{}, Booked: map[int64][]Period{}, Engaged: map[int64][]Engaged{}}
	if len(cands) == 0 {
		return f, nil
	}
	in := candidateSet(cands)
	from, to := db.Micros(pq.From), db.Micros(pq.To)
	// Every part gives (kind, expert, code, a, b, text).
	parts := []string{
		"SELECT 'leave', expert_id, '', starts_at, ends_at, '' FROM expert_leaves WHERE ends_at > ? AND starts_at < ?",
		`SELECT 'booked', expert_id, '', from_at, to_at, outcome FROM expert_engagements WHERE to_at > ? AND from_at < ?
			AND outcome IN ('invited', 'accepted', 'served')`,
		"SELECT 'barred', expert_id, '', barred_until, 0, '' FROM expert_penalties WHERE barred_until >= ?",
	}
	args := []any{from, to, from, to, db.Micros(day(pq.From))}
	var codes []string
	for _, p := range f.Parties {
		codes = append(codes, p.CreditCode)
	}
	if codes = uniqueStrings(codes); len(codes) > 0 {
		ph, cargs := inList(codes)
		parts = append(parts,
			"SELECT 'job', expert_id, credit_code, to_date, 0, '' FROM expert_employments WHERE credit_code IN ("+ph+") AND to_date >= ?",
			"SELECT 'relation', expert_id, credit_code, 0, 0, kind FROM expert_relations WHERE credit_code IN ("+ph+")")
		args = append(append(append(args, cargs...), db.Micros(day(pq.At).AddDate(-PastYears, 0, 0))), cargs...)
	}
	if pq.ServesMonths > 0 && pq.TendererOrgID != 0 {
		parts = append(parts, `SELECT 'served', expert_id, '', from_at, 0, outcome FROM expert_engagements WHERE tenderer_org_id = ?
			AND from_at >= ? AND outcome IN ('accepted', 'served')`)
		args = append(args, pq.TendererOrgID, db.Micros(pq.At.AddDate(0, -pq.ServesMonths, 0)))
	}
	rows, err := q.Query(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, code, text string
		var id, a, b int64
		if err := rows.Scan(&kind, &id, &code, &a, &b, &text); err != nil {
			return f, err
		}
		if !in.has(id) {
			continue
		}
		switch kind {
		case "leave":
			f.Leaves[id] = append(f.Leaves[id], Period{From: db.Time(a), To: db.Time(b)})
		case "booked":
			f.Booked[id] = append(f.Booked[id], Period{From: db.Time(a), To: db.Time(b), Outcome: text})
		case "barred":
			f.Barred[id] = append(f.Barred[id], db.Time(a))
		case "job":
			f.PastJobs[id] = append(f.PastJobs[id], PastJob{CreditCode: code, To: db.Time(a)})
		case "relation":
			f.Relations[id] = append(f.Relations[id], Relation{CreditCode: code, Kind: RelationKind(text)})
		case "served":
			f.Engaged[id] = append(f.Engaged[id], Engaged{TendererOrgID: pq.TendererOrgID, From: db.Time(a), Outcome: text})
		}
	}
	return f, rows.Err()
}

// candidateSet answers "is this expert a candidate?" by binary search over
// the candidates, which come sorted by id: no map to build for a large
// pool, and the facts rows asked about are few.
type candidateSet []Candidate

func (s candidateSet) has(id int64) bool {
	_, ok := slices.BinarySearchFunc(s, id, func(c Candidate, id int64) int { return cmp.Compare(c.ID, id) })
	return ok
}

// partiesOf lists the lot's organisations with the reason each excludes
// its people for (credit codes not yet looked up).
func partiesOf(pq PoolQuery) []Party {
	var ps []Party
	add := func(r Reason, ids ...int64) {
		for _, id := range ids {
			if id != 0 {
				ps = append(ps, Party{Reason: r, OrgID: id})
			}
		}
	}
	add(ReasonTenderer, pq.TendererOrgID)
	add(ReasonAgent, pq.AgentOrgID)
	add(ReasonBidder, pq.BidderOrgIDs...)
	add(ReasonSupervisor, pq.SupervisorOrgIDs...)
	return ps
}

// parties looks up the credit codes of the lot's organisations. An id that
// is not an organisation is refused: avoidance must never be silently
// skipped.
func parties(ctx context.Context, q db.Querier, pq PoolQuery) ([]Party, error) {
	ps := partiesOf(pq)
	if len(ps) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.OrgID
	}
	ph, args := inList(ids)
	rows, err := q.Query(ctx, "SELECT id, credit_code FROM organisations WHERE id IN ("+ph+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	codes := map[int64]string{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		codes[id] = code
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range ps {
		code, ok := codes[ps[i].OrgID]
		if !ok {
			return nil, errs.E(errs.Invalid, "回避单位（%s，编号 %d）不存在", ps[i].Reason.Label(), ps[i].OrgID)
		}
		ps[i].CreditCode = code
	}
	return ps, nil
}

// Contact returns a drawn expert's name and means of contact, decrypted,
// for the call-out. System use only: never show it to a person before the
// list is unsealed.
func (s *Service) Contact(ctx context.Context, q db.Querier, id int64) (Contact, error) {
	e, err := s.getExpert(ctx, q, "e.id = ?", id)
	if err != nil {
		return Contact{}, err
	}
	sp, err := specialtiesOf(ctx, q, []int64{id})
	if err != nil {
		return Contact{}, err
	}
	var names []string
	for _, x := range sp[id] {
		names = append(names, x.Code+" "+x.Name)
	}
	return Contact{ExpertID: id, Name: e.Name, Phone: e.Phone, Email: e.Email, Specialty: strings.Join(names, "、"),
		Employer: e.EmployerName, CentreCode: e.CentreCode}, nil
}

// lockBase keys the PostgreSQL advisory lock that serialises bookings of
// one expert ("ggzyex" + id), so two draws cannot book the same person
// for overlapping times.
const lockBase int64 = 0x6767_7a79_6578 << 16

// EngageTx books an expert for an evaluation in the draw's transaction.
// Outcome "" is invited. Booking someone already held (invited, accepted
// or served) at an overlapping time is a Conflict.
func EngageTx(ctx context.Context, tx *db.Tx, e Engagement) (int64, error) {
	if e.Outcome == "" {
		e.Outcome = Invited
	}
	if e.ExpertID <= 0 || e.TendererOrgID <= 0 || e.From.IsZero() || !e.To.After(e.From) || OutcomeLabel(e.Outcome) == "" {
		return 0, errs.E(errs.Invalid, "评标安排无效：专家、招标人、起止时间和结果须完整有效")
	}
	if err := tx.Lock(ctx, lockBase+e.ExpertID); err != nil {
		return 0, err
	}
	if holding(e.Outcome) {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM expert_engagements WHERE expert_id = ? AND to_at > ? AND from_at < ?
			AND outcome IN ('invited', 'accepted', 'served')`, e.ExpertID, db.Micros(e.From), db.Micros(e.To)).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, errs.E(errs.Conflict, "该专家同一时段已有评标安排")
		}
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO expert_engagements (expert_id, tenderer_org_id, lot_id, from_at, to_at, ref, outcome)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.ExpertID, e.TendererOrgID, nullID(e.LotID), db.Micros(e.From),
		db.Micros(e.To), e.Ref, e.Outcome).Scan(&id)
	return id, err
}

// SetOutcomeTx records what became of an engagement (accepted, declined,
// no_answer, replaced, served).
func SetOutcomeTx(ctx context.Context, tx *db.Tx, engagementID int64, outcome string) error {
	if OutcomeLabel(outcome) == "" {
		return errs.E(errs.Invalid, "未知的评标安排结果 %q", outcome)
	}
	res, err := tx.Exec(ctx, "UPDATE expert_engagements SET outcome = ? WHERE id = ?", outcome, engagementID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "评标安排不存在")
	}
	return nil
}

// GetEngagement reads one engagement.
func GetEngagement(ctx context.Context, q db.Querier, id int64) (Engagement, error) {
	var e Engagement
	var lot *int64
	var from, to int64
	err := q.QueryRow(ctx, `SELECT id, expert_id, tenderer_org_id, lot_id, from_at, to_at, ref, outcome FROM expert_engagements
		WHERE id = ?`, id).Scan(&e.ID, &e.ExpertID, &e.TendererOrgID, &lot, &from, &to, &e.Ref, &e.Outcome)
	if errs.Is(err, errs.NotFound) {
		return e, errs.E(errs.NotFound, "评标安排不存在")
	}
	if lot != nil {
		e.LotID = *lot
	}
	e.From, e.To = db.Time(from), db.Time(to)
	return e, err
}
