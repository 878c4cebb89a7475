package draw

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/gm"
	"ggzy/internal/tender"
)

// Commit fixes the draw's pool and commits to a fresh server seed (step 1
// of the provable draw): per specialty the experts eligible after
// avoidance, sorted; the pool digest; SM3 of a 32-byte seed from
// crypto/rand. The digests, the commitment, the rules applied and the
// exclusions counted by reason go into the audit log; the exclusions
// themselves are stored with the draw, by expert id. The seed is stored
// sealed with the platform key until the list is unsealed.
func (s *Service) Commit(ctx context.Context, a auth.Actor, id int64) (Draw, error) {
	if err := a.Authorize(auth.RequestDraw); err != nil {
		return Draw{}, err
	}
	var r row
	var p tender.Project
	var pools []Pool
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		var err error
		r, p, err = s.lockFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !runs(a, p) {
			return errs.E(errs.Forbidden, "只有项目所在交易中心的工作人员可以固定专家池")
		}
		if r.State != Requested {
			return errs.E(errs.Conflict, "专家池已固定，不能再次固定")
		}
		now := s.Clock.Now()
		if err := CheckTiming(s.Calendar, p.TradeKind, now, r.EvalStart, s.cfg.LeadDays); err != nil {
			return err
		}
		var excl []expert.Exclusion
		var details map[string]any
		pools, excl, details, err = s.fixPool(ctx, tx, r, p)
		if err != nil {
			return err
		}
		enc := EncodePools(pools)
		digest := gm.SM3(enc)
		exclEnc := EncodeExclusions(excl)
		exclDigest := gm.SM3(exclEnc)
		seed := make([]byte, SeedLen)
		rand.Read(seed) // crypto/rand.Read never fails
		commitment := Commitment(seed)
		sealed := s.Keys.PII.Seal(seed, seedAAD(r.ID))
		// Sent with the audit log's first statements (db.Tx.Defer): one
		// round trip fewer.
		if err := tx.Defer(ctx, `UPDATE draws SET pool = ?, pool_digest = ?, exclusions = ?, exclusions_digest = ?,
			commitment = ?, seed_sealed = ?, state = ?, committed_at = ? WHERE id = ?`, enc, digest[:], exclEnc, exclDigest[:],
			commitment[:], sealed, string(Committed), db.Micros(now), r.ID); err != nil {
			return err
		}
		// The row as now stored, for the answer (Get would read it again).
		r.Pool, r.PoolDigest, r.Exclusions, r.ExclusionsDigest = enc, digest[:], exclEnc, exclDigest[:]
		r.Commitment, r.SeedSealed, r.State, r.CommittedAt = commitment[:], sealed, Committed, db.Time(db.Micros(now))
		details["pool_digest"] = hex.EncodeToString(digest[:])
		details["exclusions_digest"] = hex.EncodeToString(exclDigest[:])
		details["commitment"] = hex.EncodeToString(commitment[:])
		return s.Record(ctx, tx, a, "draw.commit", "draw", itoa(r.ID), p.RegionCode, p.Industry, details)
	})
	if err != nil {
		return Draw{}, err
	}
	// The witness step, usually on this node, finds the pools here.
	s.pools.put([32]byte(r.PoolDigest), pools)
	s.changed(id)
	// What Get returns, from the committed row and project: a committed
	// draw has no calls or alerts yet, and its pool is in hand.
	return s.view(ctx, s.DB, a, r, p, true)
}

// fixPool asks the library for every quota's pool and returns the pools,
// the exclusions and the audit details describing them (counts only).
func (s *Service) fixPool(ctx context.Context, tx *db.Tx, r row, p tender.Project) ([]Pool, []expert.Exclusion, map[string]any, error) {
	var bidders []int64
	if s.parties != nil {
		var err error
		if bidders, err = s.parties.Bidders(ctx, tx, r.LotID); err != nil {
			return nil, nil, nil, err
		}
	}
	sups, err := supervisorOrgs(ctx, tx, p.Industry, p.RegionCode)
	if err != nil {
		return nil, nil, nil, err
	}
	named := make([]expert.Named, len(r.Req.Named))
	for i, n := range r.Req.Named {
		named[i] = expert.Named{ExpertID: n.ExpertID, Reason: n.Reason}
	}
	// Already booked at an overlapping time, and services to the tenderer:
	// the library sees the engagements. The experts invited or accepted by
	// other draws still sealed are known to this service only; they stay
	// in the pool — leaving them out would show the database operator who
	// is on a sealed list — and a call that reaches one of them fails at
	// once (heldElsewhere, hold.go).
	specs := make([]string, len(r.Req.Quotas))
	for i, q := range r.Req.Quotas {
		specs[i] = q.Specialty
	}
	eligible, all, err := s.lib.Pools(ctx, tx, expert.PoolQuery{Centres: r.Req.Centres,
		From: r.EvalStart, To: r.EvalEnd, TendererOrgID: p.TendererOrgID, AgentOrgID: p.AgentOrgID,
		BidderOrgIDs: bidders, SupervisorOrgIDs: sups, MaxServes: r.Req.MaxServes, ServesMonths: r.Req.ServesMonths,
		MaxAge: r.Req.MaxAge, Named: named, At: s.Clock.Now()}, specs)
	if err != nil {
		return nil, nil, nil, err
	}
	excl := normalizeExclusions(all)
	out := map[int64]bool{}
	byReason := map[string]int{}
	people := map[string]map[int64]bool{}
	for _, e := range excl {
		out[e.ExpertID] = true
		if people[string(e.Reason)] == nil {
			people[string(e.Reason)] = map[int64]bool{}
		}
		people[string(e.Reason)][e.ExpertID] = true
	}
	for reason, ids := range people {
		byReason[reason] = len(ids)
	}
	pools := BuildPools(r.Req.Quotas, eligible, out)
	sizes := map[string]int{}
	for _, pl := range pools {
		sizes[pl.Specialty] = len(pl.IDs)
	}
	var lot tender.Lot
	found := false
	for _, l := range p.Lots { // read with the project (lockFor)
		if l.ID == r.LotID {
			lot, found = l, true
		}
	}
	if !found {
		if lot, err = tender.GetLot(ctx, tx, r.LotID); err != nil {
			return nil, nil, nil, err
		}
	}
	rule, minMembers := "A15", Panel{Kind: p.TradeKind, Budget: budget(p, lot), Complex: r.Req.Complex}.MinMembers()
	if p.TradeKind == tender.Procurement {
		rule = "C12"
	}
	rules := map[string]any{
		"panel": rule, "panel_size": r.PanelSize, "min_members": minMembers, "tenderer_reps": r.Req.TendererReps,
		"avoidance": []string{"C10", "C11", "C14"}, "centres": r.Req.Centres, "max_serves": r.Req.MaxServes,
		"serves_months": r.Req.ServesMonths, "max_age": r.Req.MaxAge, "named_exclusions": len(r.Req.Named),
		"sealed_lists": "call", "bidder_avoidance": s.parties != nil, "supervising_departments": len(sups),
		"no_designation": "A16",
	}
	if p.TradeKind == tender.Procurement {
		rules["timing"] = "C13"
		rules["lead_working_days"] = s.cfg.LeadDays
	}
	return pools, excl, map[string]any{"pools": sizes, "excluded": byReason, "excluded_people": len(out),
		"rules": rules}, nil
}

func seedAAD(id int64) []byte { return []byte("draws.seed:" + itoa(id)) }

// normalizeExclusions sorts exclusions by expert, reason and detail and
// drops repeats (the same person excluded for every specialty asked).
func normalizeExclusions(in []expert.Exclusion) []expert.Exclusion {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b expert.Exclusion) int {
		if a.ExpertID != b.ExpertID {
			if a.ExpertID < b.ExpertID {
				return -1
			}
			return 1
		}
		if c := strings.Compare(string(a.Reason), string(b.Reason)); c != 0 {
			return c
		}
		return strings.Compare(a.Detail, b.Detail)
	})
	return slices.Compact(out)
}

const exclTag = "ggzy-draw-exclusions-v1\n"

// EncodeExclusions is the canonical encoding of a draw's exclusions:
// "ggzy-draw-exclusions-v1\n" u32(n) { u64(id) str(reason) str(detail) },
// sorted, without repeats.
func EncodeExclusions(in []expert.Exclusion) []byte {
	ex := normalizeExclusions(in)
	var b bytes.Buffer
	b.WriteString(exclTag)
	b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(ex))))
	for _, e := range ex {
		b.Write(binary.BigEndian.AppendUint64(nil, uint64(e.ExpertID)))
		putStr(&b, string(e.Reason))
		putStr(&b, e.Detail)
	}
	return b.Bytes()
}

var errExclEncoding = errors.New("draw: 回避记录编码损坏")

// DecodeExclusions reads EncodeExclusions' output.
func DecodeExclusions(data []byte) ([]expert.Exclusion, error) {
	if !bytes.HasPrefix(data, []byte(exclTag)) {
		return nil, errExclEncoding
	}
	r := data[len(exclTag):]
	str := func() (string, bool) {
		if len(r) < 4 {
			return "", false
		}
		n := binary.BigEndian.Uint32(r)
		r = r[4:]
		if uint64(n) > uint64(len(r)) {
			return "", false
		}
		v := string(r[:n])
		r = r[n:]
		return v, true
	}
	if len(r) < 4 {
		return nil, errExclEncoding
	}
	n := binary.BigEndian.Uint32(r)
	r = r[4:]
	if uint64(n)*16 > uint64(len(r)) {
		return nil, errExclEncoding
	}
	out := make([]expert.Exclusion, 0, n)
	for range n {
		if len(r) < 8 {
			return nil, errExclEncoding
		}
		e := expert.Exclusion{ExpertID: int64(binary.BigEndian.Uint64(r))}
		r = r[8:]
		reason, ok1 := str()
		detail, ok2 := str()
		if !ok1 || !ok2 {
			return nil, errExclEncoding
		}
		e.Reason, e.Detail = expert.Reason(reason), detail
		out = append(out, e)
	}
	if len(r) != 0 {
		return nil, errExclEncoding
	}
	return out, nil
}

// Witness takes the supervising witness's random value (step 2) and draws
// (step 3): from now on who is called is fixed by pool, seed and
// contribution. The first calls go out at once.
func (s *Service) Witness(ctx context.Context, a auth.Actor, id int64, c Contribution) (Draw, error) {
	queued, err := s.witness(ctx, a, id, c)
	if err != nil {
		return Draw{}, err
	}
	s.changed(id)
	s.dispatch(ctx, queued)
	return s.Get(ctx, a, id)
}

// witness records the contribution and makes the first calls in one
// transaction; it returns the calls to hand to the channels.
func (s *Service) witness(ctx context.Context, a auth.Actor, id int64, c Contribution) ([]callRow, error) {
	if err := a.Authorize(auth.WitnessDraw); err != nil {
		return nil, err
	}
	value, err := ParseContribution(c.Value)
	if err != nil {
		return nil, err
	}
	var queued []callRow
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		queued = nil
		r, p, err := s.lockFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !witnesses(a, p) {
			return errs.E(errs.Forbidden, "只有本项目行业和辖区的行政监督人员可以见证抽取")
		}
		switch r.State {
		case Requested:
			return errs.E(errs.Conflict, "交易中心尚未固定专家池，请稍候")
		case Committed:
		default:
			return errs.E(errs.Conflict, "本次抽取已有见证随机数，不能再次提交")
		}
		now := s.Clock.Now()
		if err := CheckTiming(s.Calendar, p.TradeKind, now, r.EvalStart, s.cfg.LeadDays); err != nil {
			return err
		}
		// A committed draw has no calls yet (r.noCalls): the first ones
		// are made now. The row is written once, with the state the
		// calls leave it in.
		r.Contribution, r.WitnessID, r.WitnessedAt, r.State, r.noCalls = value, a.UserID, now, Calling, true
		tr := s.trail(r, p)
		tr.add(a, "draw.witness", map[string]any{"contribution": hex.EncodeToString(value)})
		var st State
		if queued, st, err = s.advance(ctx, tx, r, p, tr); err != nil {
			return err
		}
		// Sent with the audit log's first statements (db.Tx.Defer).
		if err := tx.Defer(ctx, "UPDATE draws SET contribution = ?, witness_id = ?, witnessed_at = ?, state = ? WHERE id = ?",
			value, a.UserID, db.Micros(now), string(st), r.ID); err != nil {
			return err
		}
		return tr.flush(ctx, tx)
	})
	return queued, err
}

// lockFor locks draw id for a change by a, who must be able to see it.
func (s *Service) lockFor(ctx context.Context, tx *db.Tx, a auth.Actor, id int64) (row, tender.Project, error) {
	r, err := lockDraw(ctx, tx, id)
	if err != nil {
		return r, tender.Project{}, err
	}
	p, err := tender.GetProject(ctx, tx, r.ProjectID)
	if err != nil {
		return r, p, err
	}
	if !reads(a, p) {
		return r, p, errs.E(errs.NotFound, "专家抽取记录不存在")
	}
	return r, p, nil
}
