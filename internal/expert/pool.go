package expert

import (
	"cmp"
	"context"
	"slices"
	"sort"
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
		f.Add("limits", "回避参数不能为负数")
	}
	return f.Err()
}

// Pool returns the eligible experts' ids sorted ascending and every
// exclusion with its reason (an expert excluded for several reason codes
// appears once per code). Candidates are the experts holding a specialty
// under pq.Specialty whose home centre is one of pq.Centres; the rules are
// Avoid's (rules.go).
func (s *Service) Pool(ctx context.Context, q db.Querier, pq PoolQuery) (eligible []int64, excluded []Exclusion, err error) {
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

// candidates reads the experts of the specialty and centres in one range
// scan of the covering index expert_specialties_pool, which also marks the
// few that are not plainly eligible — not active, 失信, too old, or working
// for one of the parties. The plain ones come as bare ids and get the
// neutral standing (active, no employer among the parties, no birth date
// to check), which is exactly what the mark established; the marked ones
// are read in full from experts by primary key. The rules then look at
// everyone's ties and bookings.
func candidates(ctx context.Context, q db.Querier, pq PoolQuery, parties []Party) ([]Candidate, error) {
	lo, hi := prefixRange(pq.Specialty)
	ph, cargs := inList(uniqueStrings(pq.Centres))
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
	args := []any{true, oldest}
	if len(codes) > 0 {
		eph, eargs := inList(codes)
		odd += " OR s.employer_code IN (" + eph + ")"
		args = append(args, eargs...)
	}
	args = append(append(args, lo, hi), cargs...)
	rows, err := q.Query(ctx, "SELECT s.expert_id, CASE WHEN "+odd+" THEN 1 ELSE 0 END FROM expert_specialties s "+
		"WHERE s.code >= ? AND s.code < ? AND s.centre_code IN ("+ph+")", args...)
	if err != nil {
		return nil, err
	}
	var plain, marked []int64
	for rows.Next() {
		var id int64
		var m int
		if err := rows.Scan(&id, &m); err != nil {
			rows.Close()
			return nil, err
		}
		if m == 0 {
			plain = append(plain, id)
		} else {
			marked = append(marked, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(marked)
	marked = slices.Compact(marked)
	others := make([]Candidate, 0, len(marked))
	for start := 0; start < len(marked); start += 500 {
		ph, iargs := inList(marked[start:min(start+500, len(marked))])
		rows, err := q.Query(ctx, `SELECT id, employer_code, status, dishonest, birth_date, suspended_from, suspended_until
			FROM experts WHERE id IN (`+ph+") ORDER BY id", iargs...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c Candidate
			var birth, from, until int64
			if err := rows.Scan(&c.ID, &c.EmployerCode, &c.Status, &c.Dishonest, &birth, &from, &until); err != nil {
				rows.Close()
				return nil, err
			}
			c.Birth = db.Time(birth)
			if from != 0 {
				c.SuspendedFrom = db.Time(from)
			}
			if until != 0 {
				c.SuspendedUntil = db.Time(until)
			}
			others = append(others, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
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

// loadFacts reads what the rules need about the candidates: the parties'
// credit codes, past employments at and relations to them, leave,
// penalties and engagements in or around the period. Each query is
// narrowed by an index; rows of experts who are not candidates are
// dropped here.
func loadFacts(ctx context.Context, q db.Querier, pq PoolQuery, ps []Party, cands []Candidate) (Facts, error) {
	f := Facts{Parties: ps, PastJobs: map[int64][]PastJob{}, Relations: map[int64][]Relation{}, Leaves: map[int64][]Period{},
		Barred: map[int64][]time.Time{}, Booked: map[int64][]Period{}, Engaged: map[int64][]Engaged{}}
	if len(cands) == 0 {
		return f, nil
	}
	in := candidateSet(cands)
	var codes []string
	for _, p := range f.Parties {
		codes = append(codes, p.CreditCode)
	}
	codes = uniqueStrings(codes)
	if len(codes) > 0 {
		ph, args := inList(codes)
		cutoff := day(pq.At).AddDate(-PastYears, 0, 0)
		rows, err := q.Query(ctx, "SELECT expert_id, credit_code, to_date FROM expert_employments WHERE credit_code IN ("+ph+") AND to_date >= ?",
			append(args, db.Micros(cutoff))...)
		if err != nil {
			return f, err
		}
		for rows.Next() {
			var id, to int64
			var code string
			if err := rows.Scan(&id, &code, &to); err != nil {
				rows.Close()
				return f, err
			}
			if in.has(id) {
				f.PastJobs[id] = append(f.PastJobs[id], PastJob{CreditCode: code, To: db.Time(to)})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return f, err
		}
		rows, err = q.Query(ctx, "SELECT expert_id, credit_code, kind FROM expert_relations WHERE credit_code IN ("+ph+")", args...)
		if err != nil {
			return f, err
		}
		for rows.Next() {
			var id int64
			var r Relation
			if err := rows.Scan(&id, &r.CreditCode, &r.Kind); err != nil {
				rows.Close()
				return f, err
			}
			if in.has(id) {
				f.Relations[id] = append(f.Relations[id], r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return f, err
		}
	}
	from, to := db.Micros(pq.From), db.Micros(pq.To)
	if err := periods(ctx, q, "SELECT expert_id, starts_at, ends_at, '' FROM expert_leaves WHERE ends_at > ? AND starts_at < ?",
		[]any{from, to}, in, f.Leaves); err != nil {
		return f, err
	}
	if err := periods(ctx, q, `SELECT expert_id, from_at, to_at, outcome FROM expert_engagements WHERE to_at > ? AND from_at < ?
		AND outcome IN ('invited', 'accepted', 'served')`, []any{from, to}, in, f.Booked); err != nil {
		return f, err
	}
	rows, err := q.Query(ctx, "SELECT expert_id, barred_until FROM expert_penalties WHERE barred_until >= ?", db.Micros(day(pq.From)))
	if err != nil {
		return f, err
	}
	for rows.Next() {
		var id, until int64
		if err := rows.Scan(&id, &until); err != nil {
			rows.Close()
			return f, err
		}
		if in.has(id) {
			f.Barred[id] = append(f.Barred[id], db.Time(until))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	if pq.ServesMonths > 0 && pq.TendererOrgID != 0 {
		rows, err := q.Query(ctx, `SELECT expert_id, from_at, outcome FROM expert_engagements WHERE tenderer_org_id = ? AND from_at >= ?
			AND outcome IN ('accepted', 'served')`, pq.TendererOrgID, db.Micros(pq.At.AddDate(0, -pq.ServesMonths, 0)))
		if err != nil {
			return f, err
		}
		defer rows.Close()
		for rows.Next() {
			var id, at int64
			var outcome string
			if err := rows.Scan(&id, &at, &outcome); err != nil {
				return f, err
			}
			if in.has(id) {
				f.Engaged[id] = append(f.Engaged[id], Engaged{TendererOrgID: pq.TendererOrgID, From: db.Time(at), Outcome: outcome})
			}
		}
		if err := rows.Err(); err != nil {
			return f, err
		}
	}
	return f, nil
}

// candidateSet answers "is this expert a candidate?" by binary search over
// the candidates, which come sorted by id: no map to build for a large
// pool, and the facts rows asked about are few.
type candidateSet []Candidate

func (s candidateSet) has(id int64) bool {
	_, ok := slices.BinarySearchFunc(s, id, func(c Candidate, id int64) int { return cmp.Compare(c.ID, id) })
	return ok
}

// periods reads (expert, from, to, outcome) rows into m for candidates.
func periods(ctx context.Context, q db.Querier, query string, args []any, in candidateSet, m map[int64][]Period) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, from, to int64
		var outcome string
		if err := rows.Scan(&id, &from, &to, &outcome); err != nil {
			return err
		}
		if in.has(id) {
			m[id] = append(m[id], Period{From: db.Time(from), To: db.Time(to), Outcome: outcome})
		}
	}
	return rows.Err()
}

// parties looks up the credit codes of the lot's organisations. An id that
// is not an organisation is refused: avoidance must never be silently
// skipped.
func parties(ctx context.Context, q db.Querier, pq PoolQuery) ([]Party, error) {
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
