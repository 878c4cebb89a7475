package draw

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/gm"
	"ggzy/internal/notify"
	"ggzy/internal/tender"
)

// The call-out (语音自动通知): drawn experts are called in the order of
// their specialty's sequence; a decline, no answer in time, or a call that
// cannot be placed moves on to the next position automatically until
// every quota is filled or the pool runs out. Deciding who is next happens
// inside a transaction (advance); handing a call to the channels happens
// after it committed (dispatch), so a slow gateway never holds a lock.

// Actors of events no signed-in user causes.
var (
	gatewayActor = auth.Actor{Username: "voice-gateway", Name: "语音网关"}
	timerActor   = auth.Actor{Username: "system", Name: "系统（定时任务）"}
	// An expert's own answer is recorded without their identity: the audit
	// log must not tell who was drawn before the list is unsealed.
	expertActor = auth.Actor{Username: "expert", Name: "被抽取专家（平台内答复）"}
)

// ledgerOf rebuilds the call-out state of a drawn draw from its stored
// calls (none to read for a draw just witnessed: r.noCalls).
func (s *Service) ledgerOf(ctx context.Context, q db.Querier, r row) (*ledger, []callRow, []Pool, error) {
	seed, err := s.openSeed(r)
	if err != nil {
		return nil, nil, nil, err
	}
	pools, err := s.poolsOf(ctx, q, r)
	if err != nil {
		return nil, nil, nil, err
	}
	key := Key(seed, r.Contribution, [32]byte(r.PoolDigest))
	l := newLedger(r.Req.Quotas, pools, &key)
	if r.noCalls {
		return l, nil, pools, nil
	}
	calls, err := callsOf(ctx, q, r.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, c := range calls {
		pos, id, ok := l.next(c.Specialty)
		if !ok || pos != c.Position {
			return nil, nil, nil, errs.E(errs.Internal, "抽取 #%d 的通知记录与序列不符（%s 第 %d 位）", r.ID, c.Specialty, c.Position+1)
		}
		l.record(c.Specialty, pos, id)
		l.calls[c.Specialty][pos] = c.State
	}
	return l, calls, pools, nil
}

// poolsOf returns r's decoded pools: from the node's pool cache when it
// holds the pools of r's pool digest, else read (if r was read without
// them), decoded, checked against the digest and cached.
func (s *Service) poolsOf(ctx context.Context, q db.Querier, r row) ([]Pool, error) {
	if len(r.PoolDigest) == 32 {
		if pools, ok := s.pools.get([32]byte(r.PoolDigest)); ok {
			return pools, nil
		}
	}
	enc, err := poolOf(ctx, q, r)
	if err != nil {
		return nil, err
	}
	pools, err := DecodePools(enc)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "专家池数据损坏")
	}
	if len(r.PoolDigest) == 32 && gm.SM3(enc) == [32]byte(r.PoolDigest) {
		s.pools.put([32]byte(r.PoolDigest), pools)
	}
	return pools, nil
}

func (s *Service) openSeed(r row) ([]byte, error) {
	if len(r.Seed) == SeedLen {
		return r.Seed, nil
	}
	seed, err := s.Keys.PII.Open(r.SeedSealed, seedAAD(r.ID))
	if err != nil || len(seed) != SeedLen || len(r.PoolDigest) != 32 {
		return nil, errs.Wrap(errs.Internal, err, "无法读取抽取种子")
	}
	return seed, nil
}

func expertAAD(drawID int64, spec string, pos int) []byte {
	return []byte("draw_calls.expert:" + itoa(drawID) + ":" + spec + ":" + itoa(int64(pos)))
}

// expertIndex is the keyed index that finds an expert's invitations.
func (s *Service) expertIndex(id int64) string { return s.Keys.PII.Index("draw.expert:" + itoa(id)) }

// expertOf opens a call's sealed expert id.
func (s *Service) expertOf(c callRow) (int64, error) {
	b, err := s.Keys.PII.Open(c.ExpertSealed, expertAAD(c.DrawID, c.Specialty, c.Position))
	if err != nil || len(b) != 8 {
		return 0, errs.Wrap(errs.Internal, err, "无法读取被抽取专家")
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// advance makes every call the rules require now (recording each in the
// audit trail tr by specialty and position), raises an alert for each
// quota the pool cannot fill, and returns the calls to hand to the
// channels once tx commits and the draw's state after the calls; the
// caller stores the state (saveState, or with its own change of the row).
//
// Each round of calls costs a fixed number of statements however many it
// makes: the experts' booking locks, the other sealed lists' calls and the
// engagements of all of them (heldElsewhere), one insert of the round's
// calls; the audit events are appended with the use case's others.
func (s *Service) advance(ctx context.Context, tx *db.Tx, r row, p tender.Project, tr *trail) ([]callRow, State, error) {
	l, _, pools, err := s.ledgerOf(ctx, tx, r)
	if err != nil {
		return nil, "", err
	}
	now := s.Clock.Now()
	answer := time.Duration(r.AnswerMinutes) * time.Minute
	var queued []callRow
	for {
		plan := l.plan()
		if len(plan) == 0 {
			break
		}
		ids := make([]int64, len(plan))
		for i, pc := range plan {
			ids[i] = pc.ExpertID
		}
		// Someone booked elsewhere since the pool was fixed — by another
		// sealed draw or an engagement — cannot come. While the list is
		// sealed nobody is booked in the library (its engagements name
		// the expert and the lot in clear); the engagements are written
		// when it is unsealed (unseal.go). After unsealing the expert is
		// booked at once.
		notes, err := s.heldElsewhere(ctx, tx, r, p, ids)
		if err != nil {
			return nil, "", err
		}
		calls := make([]callRow, len(plan))
		busy := make([]bool, len(plan))
		for i, pc := range plan {
			c := callRow{DrawID: r.ID, Specialty: pc.Specialty, Position: pc.Position, Token: newToken(),
				ExpertSealed: s.Keys.PII.Seal(binary.BigEndian.AppendUint64(nil, uint64(pc.ExpertID)),
					expertAAD(r.ID, pc.Specialty, pc.Position)),
				ExpertIndex: s.expertIndex(pc.ExpertID), State: Queued, QueuedAt: now, Deadline: now.Add(answer)}
			if !r.UnsealedAt.IsZero() { // a replacement after unsealing joins the unsealed list
				c.ExpertID = pc.ExpertID
			}
			note := notes[pc.ExpertID]
			busy[i] = note != ""
			if !busy[i] && !r.UnsealedAt.IsZero() {
				c.EngagementID, err = expert.EngageTx(ctx, tx, expert.Engagement{ExpertID: pc.ExpertID,
					TendererOrgID: p.TendererOrgID, LotID: r.LotID, From: r.EvalStart, To: r.EvalEnd, Ref: "draw:" + itoa(r.ID)})
				busy[i], note = errs.Is(err, errs.Conflict), noteBooked
				if err != nil && !busy[i] {
					return nil, "", err
				}
			}
			if busy[i] {
				c.State, c.AnsweredAt, c.Note = Failed, now, note
			}
			calls[i] = c
		}
		if err := insertCalls(ctx, tx, calls); err != nil {
			return nil, "", err
		}
		// One audit event per round lists its calls in order.
		logged := make([]map[string]any, len(calls))
		var booked []callRow
		for i, c := range calls {
			logged[i] = map[string]any{"specialty": c.Specialty, "position": c.Position, "call": c.ID}
			if busy[i] {
				booked = append(booked, c)
			} else {
				queued = append(queued, c)
			}
		}
		tr.add(timerActor, "draw.call", map[string]any{"calls": logged})
		for _, c := range booked {
			if err := l.answer(c.Specialty, c.Position, Failed); err != nil {
				return nil, "", errs.Wrap(errs.Internal, err, "通知状态错误")
			}
			tr.add(timerActor, "draw.answer", map[string]any{"specialty": c.Specialty, "position": c.Position,
				"call": c.ID, "result": string(Failed), "via": "booking"})
		}
	}
	sizes := map[string]int{}
	for _, pl := range pools {
		sizes[pl.Specialty] = len(pl.IDs)
	}
	for _, spec := range l.specs {
		pr := l.progress(spec, sizes[spec])
		if !pr.Exhausted {
			continue
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM draw_alerts WHERE draw_id = ? AND specialty = ? AND missing = ?",
			r.ID, spec, pr.Missing).Scan(&n); err != nil {
			return nil, "", err
		}
		if n > 0 {
			continue
		}
		msg := "专业 " + spec
		if pr.Name != "" {
			msg += "（" + pr.Name + "）"
		}
		msg += "可抽取的专家已全部通知，仍缺 " + itoa(int64(pr.Missing)) + " 人（需 " + itoa(int64(pr.Formal)) + " 名正式、" +
			itoa(int64(pr.Alternates)) + " 名候补，已确认 " + itoa(int64(pr.Accepted)) + " 人，专家池 " + itoa(int64(pr.Pool)) +
			" 人）。请扩大抽取范围（如增加其他交易中心的专家）后重新申请抽取。"
		if _, err := tx.Exec(ctx, "INSERT INTO draw_alerts (draw_id, at, specialty, missing, message) VALUES (?, ?, ?, ?, ?)",
			r.ID, db.Micros(now), spec, pr.Missing, msg); err != nil {
			return nil, "", err
		}
		tr.add(timerActor, "draw.short", map[string]any{"specialty": spec, "missing": pr.Missing, "accepted": pr.Accepted,
			"pool": pr.Pool})
	}
	return queued, l.state(), nil
}

// advanceAndSave is advance for a draw whose row needs nothing else
// changed: the state is written if it changed.
func (s *Service) advanceAndSave(ctx context.Context, tx *db.Tx, r row, p tender.Project, tr *trail) ([]callRow, error) {
	queued, st, err := s.advance(ctx, tx, r, p, tr)
	if err != nil {
		return nil, err
	}
	if st != r.State {
		if _, err := tx.Exec(ctx, "UPDATE draws SET state = ? WHERE id = ?", st, r.ID); err != nil {
			return nil, err
		}
	}
	return queued, nil
}

// dispatch hands calls to the channels, then processes what follows from
// calls that could not be placed. Failures to write are left for Tick:
// the call stays queued and is handed over again.
func (s *Service) dispatch(ctx context.Context, calls []callRow) {
	for len(calls) > 0 {
		c := calls[0]
		calls = calls[1:]
		more, err := s.send(ctx, c)
		if err != nil {
			slog.Default().Error("draw call-out", "draw", c.DrawID, "call", c.ID, "err", err)
			continue
		}
		calls = append(calls, more...)
	}
}

// send hands one call to every channel that can reach the expert: the
// voice gateway (phone), mail (e-mail address) and the in-app invitation
// (if the expert has a sign-in). A call no channel takes fails, and the
// next position is called.
func (s *Service) send(ctx context.Context, c callRow) ([]callRow, error) {
	r, err := getDraw(ctx, s.DB, c.DrawID)
	if err != nil {
		return nil, err
	}
	id, err := s.expertOf(c)
	if err != nil {
		return nil, err
	}
	contact, err := s.lib.Contact(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	uid, err := expertUser(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	answer := time.Duration(r.AnswerMinutes) * time.Minute
	msg := s.message(r, c, contact)
	var used []string
	if s.voice != nil && contact.Phone != "" {
		if err := s.voice.Send(ctx, msg); err == nil {
			used = append(used, "voice")
		} else {
			slog.Default().Warn("draw voice call", "draw", c.DrawID, "call", c.ID, "err", err)
		}
	}
	if s.mail != nil && contact.Email != "" {
		if err := s.mail.Send(ctx, msg); err == nil {
			used = append(used, "mail")
		} else {
			slog.Default().Warn("draw mail", "draw", c.DrawID, "call", c.ID, "err", err)
		}
	}
	if uid != 0 {
		used = append(used, notify.InApp{}.Name())
	}
	if len(used) == 0 {
		var queued []callRow
		err := s.DB.Transact(ctx, func(tx *db.Tx) error {
			var err error
			queued, err = s.answerTx(ctx, tx, timerActor, c.DrawID, c.ID, Failed, "send", "无法通过语音、邮件或平台联系")
			return err
		})
		if errs.Is(err, errs.Conflict) {
			return nil, nil // answered meanwhile
		}
		s.changed(c.DrawID)
		return queued, err
	}
	channels := strings.Join(used, "+")
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		r, err := lockDraw(ctx, tx, c.DrawID)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		res, err := tx.Exec(ctx, "UPDATE draw_calls SET state = ?, channel = ?, sent_at = ?, deadline = ? WHERE id = ? AND state = ?",
			Sent, channels, db.Micros(now), db.Micros(now.Add(answer)), c.ID, Queued)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // answered before we got here
		}
		p, err := tender.GetProject(ctx, tx, r.ProjectID)
		if err != nil {
			return err
		}
		return s.Record(ctx, tx, timerActor, "draw.sent", "draw", itoa(c.DrawID), p.RegionCode, p.Industry,
			map[string]any{"specialty": c.Specialty, "position": c.Position, "call": c.ID, "channels": channels})
	})
	s.changed(c.DrawID)
	return nil, err
}

// message is what the expert is told: time, place, specialty, nothing
// about the project or the tenderer.
func (s *Service) message(r row, c callRow, ct expert.Contact) notify.Message {
	name := ""
	for _, q := range r.Req.Quotas {
		if q.Specialty == c.Specialty {
			name = q.Name
		}
	}
	return notify.Message{CallID: c.Token, Phone: ct.Phone, Email: ct.Email, Subject: "评标专家邀请",
		Text: InvitationText(r.EvalStart, r.EvalEnd, r.Venue, c.Specialty, name, time.Duration(r.AnswerMinutes)*time.Minute),
		Link: strings.TrimRight(s.cfg.BaseURL, "/") + "/workbench/invitations/" + c.Token}
}

// outcomeOf maps a call's state to the engagement's outcome: a call still
// waiting holds the expert (invited); busy and failed count as no answer.
func outcomeOf(st CallState) string {
	switch st {
	case Queued, Sent:
		return expert.Invited
	case Accepted:
		return expert.Accepted
	case Declined:
		return expert.Declined
	case Replaced:
		return expert.Replaced
	}
	return expert.NoAnswer
}

// answerTx records the answer st to call callID of draw drawID (via says
// how it came: voice, inapp, timeout, send) and makes the calls that
// follow from it.
func (s *Service) answerTx(ctx context.Context, tx *db.Tx, a auth.Actor, drawID, callID int64, st CallState, via, note string) ([]callRow, error) {
	r, err := lockDraw(ctx, tx, drawID)
	if err != nil {
		return nil, err
	}
	c, err := callByID(ctx, tx, drawID, callID)
	if err != nil {
		return nil, err
	}
	if !c.State.Open() {
		return nil, errs.E(errs.Conflict, "该通知已有结果（%s），不能再次答复", c.State.Label())
	}
	if _, err := tx.Exec(ctx, "UPDATE draw_calls SET state = ?, answered_at = ?, note = ? WHERE id = ?",
		st, db.Micros(s.Clock.Now()), note, c.ID); err != nil {
		return nil, err
	}
	if c.EngagementID > 0 { // booked: a call made or answered after unsealing
		if err := expert.SetOutcomeTx(ctx, tx, c.EngagementID, outcomeOf(st)); err != nil {
			return nil, err
		}
	}
	p, err := tender.GetProject(ctx, tx, r.ProjectID)
	if err != nil {
		return nil, err
	}
	tr := s.trail(r, p)
	tr.add(a, "draw.answer", map[string]any{
		"specialty": c.Specialty, "position": c.Position, "call": c.ID, "result": string(st), "via": via})
	queued, err := s.advanceAndSave(ctx, tx, r, p, tr)
	if err != nil {
		return nil, err
	}
	return queued, tr.flush(ctx, tx)
}

// answerCall runs answerTx in its own transaction and dispatches what
// follows.
func (s *Service) answerCall(ctx context.Context, a auth.Actor, c callRow, st CallState, via, note string) error {
	var queued []callRow
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		var err error
		queued, err = s.answerTx(ctx, tx, a, c.DrawID, c.ID, st, via, note)
		return err
	})
	if err != nil {
		return err
	}
	s.changed(c.DrawID)
	s.dispatch(ctx, queued)
	return nil
}

// VoiceCallback takes the voice gateway's signed report of a call. The
// signature and its timestamp are checked first; a call id that already
// has a result is refused, so a replayed callback changes nothing.
func (s *Service) VoiceCallback(ctx context.Context, a auth.Actor, signature string, body []byte) error {
	if err := a.Authorize(auth.DrawGatewayCall); err != nil {
		return err
	}
	if s.voice == nil {
		return errs.E(errs.NotFound, "未配置语音网关")
	}
	cb, err := s.voice.ParseCallback(signature, body)
	if err != nil {
		return err
	}
	c, err := callByToken(ctx, s.DB, cb.CallID)
	if err != nil {
		return err
	}
	if !c.State.Open() {
		return errs.E(errs.Conflict, "该呼叫已有结果，重复的回调不予处理")
	}
	st := map[notify.Result]CallState{notify.Accepted: Accepted, notify.Declined: Declined, notify.NoAnswer: NoAnswer,
		notify.Busy: Busy, notify.Failed: Failed}[cb.Result]
	actor := gatewayActor
	actor.IP = a.IP
	return s.answerCall(ctx, actor, c, st, "voice", "")
}

// Tick is the call-out's clock, run by the server's housekeeping: calls
// not answered by their deadline count as no answer (and the next expert
// is called), calls stuck before reaching a channel are handed over again,
// and lists whose evaluation has begun are unsealed. It returns how many
// calls timed out.
func (s *Service) Tick(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	due, err := queryCalls(ctx, s.DB, "SELECT "+callCols+" FROM draw_calls WHERE state IN (?, ?) AND deadline <= ? ORDER BY id",
		Queued, Sent, db.Micros(now))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range due {
		err := s.answerCall(ctx, timerActor, c, NoAnswer, "timeout", "超过答复时限")
		switch {
		case err == nil:
			n++
		case errs.Is(err, errs.Conflict): // answered meanwhile
		default:
			return n, err
		}
	}
	stuck, err := queryCalls(ctx, s.DB, "SELECT "+callCols+" FROM draw_calls WHERE state = ? AND queued_at <= ? ORDER BY id",
		Queued, db.Micros(now.Add(-s.cfg.ResendAfter)))
	if err != nil {
		return n, err
	}
	s.dispatch(ctx, stuck)
	if _, err := s.UnsealDue(ctx); err != nil {
		return n, err
	}
	return n, nil
}

// Replace releases a member who accepted but cannot serve after all (ill,
// a conflict found late, absent): the call becomes replaced and the next
// position of the same sequence is called. Per RULES C15, an opinion the
// replaced member gave is void; the evaluation ignores it.
func (s *Service) Replace(ctx context.Context, a auth.Actor, drawID, callID int64, in Replacement) (Draw, error) {
	if err := a.Authorize(auth.RequestDraw); err != nil {
		return Draw{}, err
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		var f errs.Fields
		f.Add("reason", "请说明替换理由（不超过200字）")
		return Draw{}, f.Err()
	}
	var queued []callRow
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		r, p, err := s.lockFor(ctx, tx, a, drawID)
		if err != nil {
			return err
		}
		if !runs(a, p) {
			return errs.E(errs.Forbidden, "只有项目所在交易中心的工作人员可以替换专家")
		}
		c, err := callByID(ctx, tx, drawID, callID)
		if err != nil {
			return err
		}
		if c.State != Accepted {
			return errs.E(errs.Conflict, "只能替换已确认参加的专家（当前：%s）", c.State.Label())
		}
		if _, err := tx.Exec(ctx, "UPDATE draw_calls SET state = ?, note = ? WHERE id = ?", Replaced, reason, c.ID); err != nil {
			return err
		}
		if c.EngagementID > 0 {
			if err := expert.SetOutcomeTx(ctx, tx, c.EngagementID, expert.Replaced); err != nil {
				return err
			}
		}
		tr := s.trail(r, p)
		tr.add(a, "draw.replace", map[string]any{
			"specialty": c.Specialty, "position": c.Position, "call": c.ID, "reason": reason, "rule": "C15"})
		if queued, err = s.advanceAndSave(ctx, tx, r, p, tr); err != nil {
			return err
		}
		return tr.flush(ctx, tx)
	})
	if err != nil {
		return Draw{}, err
	}
	s.changed(drawID)
	s.dispatch(ctx, queued)
	return s.Get(ctx, a, drawID)
}

// ---- the expert's side ----

// Invitations lists the signed-in expert's invitations, newest first.
func (s *Service) Invitations(ctx context.Context, a auth.Actor) ([]Invitation, error) {
	if err := a.Authorize(auth.AnswerDraw); err != nil {
		return nil, err
	}
	me, err := expertOfUser(ctx, s.DB, a.UserID)
	if errs.Is(err, errs.NotFound) {
		return []Invitation{}, nil // not in the library: no invitations
	}
	if err != nil {
		return nil, err
	}
	calls, err := queryCalls(ctx, s.DB, "SELECT "+callCols+" FROM draw_calls WHERE expert_index = ? ORDER BY id DESC LIMIT 100",
		s.expertIndex(me))
	if err != nil {
		return nil, err
	}
	out := []Invitation{}
	for _, c := range calls {
		if id, err := s.expertOf(c); err != nil || id != me {
			continue
		}
		inv, err := s.invitation(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, nil
}

// mine returns the call behind token if it is the signed-in expert's.
func (s *Service) mine(ctx context.Context, a auth.Actor, token string) (callRow, error) {
	if err := a.Authorize(auth.AnswerDraw); err != nil {
		return callRow{}, err
	}
	if !notify.ValidCallID(token) {
		return callRow{}, errs.E(errs.NotFound, "邀请不存在")
	}
	me, err := expertOfUser(ctx, s.DB, a.UserID)
	if err != nil {
		return callRow{}, err
	}
	c, err := callByToken(ctx, s.DB, token)
	if err != nil {
		return c, err
	}
	if id, err := s.expertOf(c); err != nil || id != me {
		return c, errs.E(errs.NotFound, "邀请不存在")
	}
	return c, nil
}

// Invitation shows one of the signed-in expert's invitations.
func (s *Service) Invitation(ctx context.Context, a auth.Actor, token string) (Invitation, error) {
	c, err := s.mine(ctx, a, token)
	if err != nil {
		return Invitation{}, err
	}
	return s.invitation(ctx, c)
}

// Answer is the expert's in-app reply to their own invitation, before its
// deadline.
func (s *Service) Answer(ctx context.Context, a auth.Actor, token string, in Answer) (Invitation, error) {
	c, err := s.mine(ctx, a, token)
	if err != nil {
		return Invitation{}, err
	}
	if !c.State.Open() {
		return Invitation{}, errs.E(errs.Conflict, "该邀请已有结果（%s）", c.State.Label())
	}
	if !s.Clock.Now().Before(c.Deadline) {
		return Invitation{}, errs.E(errs.Conflict, "已超过答复时限，邀请已失效")
	}
	st := Declined
	if in.Accept {
		st = Accepted
	}
	if err := s.answerCall(ctx, expertActor, c, st, "inapp", ""); err != nil {
		return Invitation{}, err
	}
	c, err = callByToken(ctx, s.DB, token)
	if err != nil {
		return Invitation{}, err
	}
	return s.invitation(ctx, c)
}

func (s *Service) invitation(ctx context.Context, c callRow) (Invitation, error) {
	r, err := getDraw(ctx, s.DB, c.DrawID)
	if err != nil {
		return Invitation{}, err
	}
	inv := Invitation{Token: c.Token, Specialty: c.Specialty, EvalStart: r.EvalStart, EvalEnd: r.EvalEnd, Venue: r.Venue,
		State: c.State, StateLabel: c.State.Label(), Deadline: c.Deadline,
		Open: c.State.Open() && s.Clock.Now().Before(c.Deadline)}
	for _, q := range r.Req.Quotas {
		if q.Specialty == c.Specialty {
			inv.Name = q.Name
		}
	}
	return inv, nil
}
