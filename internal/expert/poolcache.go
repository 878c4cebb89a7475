package expert

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// The pool's cache of the library's slowly-changing facts. Who holds which
// specialty at which centre, their standing (status and suspension, 失信,
// birth date, employer), past employers, declared relations, leave and
// penalties change only through this package's use cases, and each of
// those bumps the library's version in its own transaction and stamps the
// experts it changed with it (touch, migration 00016). A node keeps these
// facts in memory; a pool first reads the version (in the same statement
// as its per-draw facts), reloads the experts stamped after the version
// the cache holds, and then judges the candidates in memory. What changes
// with every draw — bookings in the evaluation's time and services to the
// tenderer, the engagements the draw writes — is read for each pool. A
// node never trusts its cache beyond the version the caller's transaction
// sees: a cache newer than that (a transaction that started before a
// write another pool already loaded) falls back to the direct queries
// (pool.go), as does a request reaching back before the cache's horizon.

// cacheFullReload is how many changed experts make a refresh read the
// whole library instead of each of them.
const cacheFullReload = 2000

type libCache struct {
	mu      sync.Mutex
	version int64     // 0: not loaded
	horizon time.Time // leave ending and bars lifting before it are not kept
	experts map[int64]*cachedExpert
	index   map[string][]cachedSpec // centre → specialties by (code, id); nil: to rebuild
}

type cachedExpert struct {
	c      Candidate
	centre string
	codes  []string
	jobs   []PastJob
	rels   []Relation
	leaves []Period
	barred []time.Time
}

type cachedSpec struct {
	code string
	e    *cachedExpert
}

// fastFacts is what a pool reads for every call: the library's version,
// the parties' credit codes, bookings overlapping the evaluation and
// services to the tenderer.
type fastFacts struct {
	version int64
	parties []Party
	booked  map[int64][]Period
	engaged map[int64][]Engaged
}

// readFast reads the fast-changing facts in one statement.
func readFast(ctx context.Context, q db.Querier, pq PoolQuery) (fastFacts, error) {
	ff := fastFacts{booked: map[int64][]Period{}, engaged: map[int64][]Engaged{}}
	ps := partiesOf(pq)
	parts := []string{"SELECT 'v', 0, '', version, 0, '' FROM expert_library WHERE id = 1",
		`SELECT 'booked', expert_id, '', from_at, to_at, outcome FROM expert_engagements WHERE to_at > ? AND from_at < ?
			AND outcome IN ('invited', 'accepted', 'served')`}
	args := []any{db.Micros(pq.From), db.Micros(pq.To)}
	if len(ps) > 0 {
		ids := make([]int64, len(ps))
		for i, p := range ps {
			ids[i] = p.OrgID
		}
		ph, oargs := inList(ids)
		parts = append(parts, "SELECT 'org', id, credit_code, 0, 0, '' FROM organisations WHERE id IN ("+ph+")")
		args = append(args, oargs...)
	}
	if pq.ServesMonths > 0 && pq.TendererOrgID != 0 {
		parts = append(parts, `SELECT 'served', expert_id, '', from_at, 0, outcome FROM expert_engagements WHERE tenderer_org_id = ?
			AND from_at >= ? AND outcome IN ('accepted', 'served')`)
		args = append(args, pq.TendererOrgID, db.Micros(pq.At.AddDate(0, -pq.ServesMonths, 0)))
	}
	rows, err := q.Query(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return ff, err
	}
	defer rows.Close()
	codes := map[int64]string{}
	for rows.Next() {
		var kind, code, text string
		var id, a, b int64
		if err := rows.Scan(&kind, &id, &code, &a, &b, &text); err != nil {
			return ff, err
		}
		switch kind {
		case "v":
			ff.version = a
		case "org":
			codes[id] = code
		case "booked":
			ff.booked[id] = append(ff.booked[id], Period{From: db.Time(a), To: db.Time(b), Outcome: text})
		case "served":
			ff.engaged[id] = append(ff.engaged[id], Engaged{TendererOrgID: pq.TendererOrgID, From: db.Time(a), Outcome: text})
		}
	}
	if err := rows.Err(); err != nil {
		return ff, err
	}
	for i := range ps {
		code, ok := codes[ps[i].OrgID]
		if !ok {
			return ff, errs.E(errs.Invalid, "回避单位（%s，编号 %d）不存在", ps[i].Reason.Label(), ps[i].OrgID)
		}
		ps[i].CreditCode = code
	}
	ff.parties = ps
	return ff, nil
}

// refresh brings the cache to version v as q sees it. It reports false
// when the cache cannot answer for q (it is newer than v).
func (c *libCache) refresh(ctx context.Context, q db.Querier, v int64, now time.Time) (bool, error) {
	switch {
	case c.version == v:
		return true, nil
	case c.version > v:
		return false, nil
	}
	if c.version > 0 {
		var ids []int64
		rows, err := q.Query(ctx, "SELECT id FROM experts WHERE revision > ?", c.version)
		if err != nil {
			return false, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return false, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return false, err
		}
		if len(ids) <= cacheFullReload {
			if err := c.load(ctx, q, ids); err != nil {
				c.version = 0
				return false, err
			}
			c.version = v
			return true, nil
		}
	}
	c.experts, c.index, c.horizon = map[int64]*cachedExpert{}, nil, day(now).AddDate(0, 0, -1)
	if err := c.load(ctx, q, nil); err != nil {
		c.version = 0
		return false, err
	}
	c.version = v
	return true, nil
}

// load (re)reads experts ids — all of them when ids is nil — with their
// facts into the cache.
func (c *libCache) load(ctx context.Context, q db.Querier, ids []int64) error {
	where, args := "", []any(nil)
	if ids != nil {
		if len(ids) == 0 {
			return nil
		}
		var ph string
		ph, args = inList(ids)
		where = " AND expert_id IN (" + ph + ")"
	}
	c.index = nil
	rows, err := q.Query(ctx, `SELECT id, centre_code, employer_code, status, suspended_from, suspended_until, dishonest, birth_date
		FROM experts WHERE 1 = 1`+strings.ReplaceAll(where, "expert_id", "id"), args...)
	if err != nil {
		return err
	}
	fresh := map[int64]*cachedExpert{}
	for rows.Next() {
		e := &cachedExpert{}
		var from, until, birth int64
		var status string
		if err := rows.Scan(&e.c.ID, &e.centre, &e.c.EmployerCode, &status, &from, &until, &e.c.Dishonest, &birth); err != nil {
			rows.Close()
			return err
		}
		e.c.Status, e.c.Birth = Status(status), db.Time(birth)
		if from != 0 {
			e.c.SuspendedFrom = db.Time(from)
		}
		if until != 0 {
			e.c.SuspendedUntil = db.Time(until)
		}
		fresh[e.c.ID] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The lists, in one statement: (kind, expert, text, a, b).
	h := db.Micros(c.horizon)
	lists := `SELECT 'spec', expert_id, code, 0, 0 FROM expert_specialties WHERE 1 = 1` + where + `
		UNION ALL SELECT 'job', expert_id, credit_code, to_date, 0 FROM expert_employments WHERE 1 = 1` + where + `
		UNION ALL SELECT 'rel', expert_id, credit_code || ':' || kind, 0, 0 FROM expert_relations WHERE 1 = 1` + where + `
		UNION ALL SELECT 'leave', expert_id, '', starts_at, ends_at FROM expert_leaves WHERE ends_at > ?` + where + `
		UNION ALL SELECT 'barred', expert_id, '', barred_until, 0 FROM expert_penalties WHERE barred_until >= ?` + where
	largs := append(append(append(append(append(append(append([]any(nil), args...), args...), args...), h), args...), h), args...)
	rows, err = q.Query(ctx, lists, largs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, text string
		var id, a, b int64
		if err := rows.Scan(&kind, &id, &text, &a, &b); err != nil {
			return err
		}
		e := fresh[id]
		if e == nil {
			continue
		}
		switch kind {
		case "spec":
			e.codes = append(e.codes, text)
		case "job":
			e.jobs = append(e.jobs, PastJob{CreditCode: text, To: db.Time(a)})
		case "rel":
			code, kind, _ := strings.Cut(text, ":")
			e.rels = append(e.rels, Relation{CreditCode: code, Kind: RelationKind(kind)})
		case "leave":
			e.leaves = append(e.leaves, Period{From: db.Time(a), To: db.Time(b)})
		case "barred":
			e.barred = append(e.barred, db.Time(a))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		delete(c.experts, id) // an expert no longer there (never, today) leaves too
	}
	for id, e := range fresh {
		c.experts[id] = e
	}
	return nil
}

// centreIndex is the experts of every centre by (code, id), rebuilt after
// a change.
func (c *libCache) centreIndex() map[string][]cachedSpec {
	if c.index != nil {
		return c.index
	}
	idx := map[string][]cachedSpec{}
	for _, e := range c.experts {
		for _, code := range e.codes {
			idx[e.centre] = append(idx[e.centre], cachedSpec{code: code, e: e})
		}
	}
	for _, l := range idx {
		slices.SortFunc(l, func(a, b cachedSpec) int {
			if c := strings.Compare(a.code, b.code); c != 0 {
				return c
			}
			return cmp.Compare(a.e.c.ID, b.e.c.ID)
		})
	}
	c.index = idx
	return idx
}

// Pools is Pool for several specialties of one request at once: the
// eligible ids per specialty (keyed as given) and the exclusions of every
// candidate of any of them (an expert once per reason code). One
// statement reads the per-draw facts; the library's slowly-changing facts
// come from the node's cache.
func (s *Service) Pools(ctx context.Context, q db.Querier, pq PoolQuery, specialties []string) (map[string][]int64, []Exclusion, error) {
	for _, sp := range specialties {
		one := pq
		one.Specialty = NormalizeCode(sp)
		if err := CheckPoolQuery(one); err != nil {
			return nil, nil, err
		}
	}
	if len(specialties) == 0 {
		return map[string][]int64{}, []Exclusion{}, nil
	}
	if s.cache != nil {
		ff, err := readFast(ctx, q, pq)
		if err != nil {
			return nil, nil, err
		}
		c := s.cache
		c.mu.Lock()
		ok, err := c.refresh(ctx, q, ff.version, s.Clock.Now())
		if err == nil && ok && !day(pq.From).Before(c.horizon) {
			eligible, excluded := c.pools(pq, specialties, ff)
			c.mu.Unlock()
			return eligible, excluded, nil
		}
		c.mu.Unlock()
		if err != nil {
			return nil, nil, err
		}
	}
	out := map[string][]int64{}
	var all []Exclusion
	for _, sp := range specialties {
		one := pq
		one.Specialty = sp
		ids, excl, err := s.poolDirect(ctx, q, one)
		if err != nil {
			return nil, nil, err
		}
		out[sp] = ids
		all = append(all, excl...)
	}
	return out, dedupe(all), nil
}

// dedupe sorts exclusions by expert, reason (in Avoid's order) and detail
// and drops repeats.
func dedupe(in []Exclusion) []Exclusion {
	slices.SortFunc(in, func(a, b Exclusion) int {
		if c := cmp.Compare(a.ExpertID, b.ExpertID); c != 0 {
			return c
		}
		if c := cmp.Compare(slices.Index(reasonOrder, a.Reason), slices.Index(reasonOrder, b.Reason)); c != 0 {
			return c
		}
		return strings.Compare(a.Detail, b.Detail)
	})
	return orEmpty(slices.Compact(in))
}

// pools judges the candidates of the specialties from the cache (c.mu
// held). Most candidates have nothing on record that a rule reads —
// active, not 失信, young enough, employed by none of the parties, no past
// employer, relation, leave, penalty, booking or service, not named: they
// are eligible without more ado (as the direct path's plain list); the
// others go through Avoid.
func (c *libCache) pools(pq PoolQuery, specialties []string, ff fastFacts) (map[string][]int64, []Exclusion) {
	idx := c.centreIndex()
	centres := uniqueStrings(pq.Centres)
	per := make([][]*cachedExpert, len(specialties))
	n := 0
	for i, sp := range specialties {
		lo, hi := prefixRange(NormalizeCode(sp))
		type span struct{ l []cachedSpec }
		spans := make([]span, 0, len(centres))
		size := 0
		for _, centre := range centres {
			l := idx[centre]
			from, _ := slices.BinarySearchFunc(l, lo, func(x cachedSpec, lo string) int { return strings.Compare(x.code, lo) })
			to, _ := slices.BinarySearchFunc(l, hi, func(x cachedSpec, hi string) int { return strings.Compare(x.code, hi) })
			spans = append(spans, span{l[from:to]})
			size += to - from
		}
		per[i] = make([]*cachedExpert, 0, size)
		for _, s := range spans {
			for _, x := range s.l {
				per[i] = append(per[i], x.e)
			}
		}
		slices.SortFunc(per[i], byExpert)
		per[i] = slices.CompactFunc(per[i], sameExpert)
		n += len(per[i])
	}
	all := make([]*cachedExpert, 0, n)
	for _, l := range per {
		all = append(all, l...)
	}
	if len(per) > 1 {
		slices.SortFunc(all, byExpert)
		all = slices.CompactFunc(all, sameExpert)
	}

	party := map[string]bool{}
	for _, p := range ff.parties {
		party[p.CreditCode] = true
	}
	named := map[int64]bool{}
	for _, nm := range pq.Named {
		named[nm.ExpertID] = true
	}
	// Born a day or more after this is young enough whatever the zone the
	// birth date was stored in; the others are judged by Avoid (Age).
	oldest := time.Time{}
	if pq.MaxAge > 0 {
		oldest = day(pq.From).AddDate(-pq.MaxAge, 0, 1)
	}
	f := Facts{Parties: ff.parties, PastJobs: map[int64][]PastJob{}, Relations: map[int64][]Relation{},
		Leaves: map[int64][]Period{}, Barred: map[int64][]time.Time{}, Booked: ff.booked, Engaged: ff.engaged}
	isPlain := func(e *cachedExpert) bool {
		id := e.c.ID
		// The record's own fields first, the string-keyed lookup last.
		return e.c.Status == Active && !e.c.Dishonest && (oldest.IsZero() || e.c.Birth.After(oldest)) &&
			len(e.jobs) == 0 && len(e.rels) == 0 && len(e.leaves) == 0 && len(e.barred) == 0 &&
			ff.booked[id] == nil && ff.engaged[id] == nil && !named[id] && (e.c.EmployerCode == "" || !party[e.c.EmployerCode])
	}
	// Judged once (each test reads the expert's cached record: memory
	// stalls more than instructions) and counted first so the lists are
	// allocated once: a draw's garbage is what makes its slow percentile
	// (GC assists), not its CPU.
	isP := make([]bool, len(all))
	nPlain := 0
	for i, e := range all {
		if isPlain(e) {
			isP[i] = true
			nPlain++
		}
	}
	plain := make([]int64, 0, nPlain)
	cands := make([]Candidate, 0, len(all)-nPlain)
	for i, e := range all {
		id := e.c.ID
		if isP[i] {
			plain = append(plain, id)
			continue
		}
		cands = append(cands, e.c)
		if len(e.jobs) > 0 {
			f.PastJobs[id] = e.jobs
		}
		if len(e.rels) > 0 {
			f.Relations[id] = e.rels
		}
		if len(e.leaves) > 0 {
			f.Leaves[id] = e.leaves
		}
		if len(e.barred) > 0 {
			f.Barred[id] = e.barred
		}
	}
	judged, excluded := Avoid(cands, f, pq)
	// Both lists are in id order: merge them.
	eligible := make([]int64, 0, len(plain)+len(judged))
	i, j := 0, 0
	for i < len(plain) || j < len(judged) {
		if j == len(judged) || i < len(plain) && plain[i] < judged[j] {
			eligible = append(eligible, plain[i])
			i++
		} else {
			eligible = append(eligible, judged[j])
			j++
		}
	}
	out := make(map[string][]int64, len(specialties))
	for i, sp := range specialties {
		keep := make([]int64, 0, len(per[i]))
		k := 0
		for _, e := range per[i] { // both in id order
			for k < len(eligible) && eligible[k] < e.c.ID {
				k++
			}
			if k < len(eligible) && eligible[k] == e.c.ID {
				keep = append(keep, e.c.ID)
			}
		}
		out[sp] = keep
	}
	return out, orEmpty(excluded)
}

func byExpert(a, b *cachedExpert) int    { return cmp.Compare(a.c.ID, b.c.ID) }
func sameExpert(a, b *cachedExpert) bool { return a.c.ID == b.c.ID }
