package bidding

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/tender"
)

// RecordDoc is the opening record (开标记录表) as rendered to PDF.
type RecordDoc struct {
	CentreName  string
	ProjectCode string
	ProjectName string
	LotName     string
	Round       int // 轮次: shown from the second round on
	Deadline    time.Time
	ClosedAt    time.Time
	MaxPrice    string
	Received    int
	Bids        []Opened
	GeneratedAt time.Time
}

// view is what the opening shows of one bid.
func (s *Service) view(ctx context.Context, q db.Querier, b openedRow, names map[int64]string) Opened {
	o := Opened{ID: b.id, BidderID: b.orgID, BidderName: names[b.orgID], Status: b.status, StatusText: b.status.Label(),
		Cause: b.cause, CauseText: b.cause.Label(), Price: b.price, DurationDays: b.duration, Quality: b.quality,
		Manager: b.manager, ManagerCert: b.managerCert, Extra: b.extra, AboveMax: b.aboveMax, Deposit: "—",
		DecryptedAt: b.decryptedAt, ReceiptSeq: b.receiptSeq, ReceivedAt: b.receivedAt}
	if b.status == Pending {
		o.CauseText = ""
	}
	if s.Deposits != nil {
		if d, err := s.Deposits(ctx, q, b.lotID, b.orgID); err == nil && d != "" {
			o.Deposit = d
		}
	}
	return o
}

// recordDoc gathers the record of a round's opening.
func (s *Service) recordDoc(ctx context.Context, q db.Querier, l tender.Lot, p tender.Project, o opening) (RecordDoc, error) {
	bids, err := openedOfLot(ctx, q, l.ID, o.round)
	if err != nil {
		return RecordDoc{}, err
	}
	ids := make([]int64, 0, len(bids))
	for _, b := range bids {
		ids = append(ids, b.orgID)
	}
	names, err := orgNames(ctx, q, ids)
	if err != nil {
		return RecordDoc{}, err
	}
	d := RecordDoc{ProjectCode: p.Code, ProjectName: p.Name, LotName: l.Name, Round: o.round, Deadline: o.bidDeadline, ClosedAt: o.closedAt,
		MaxPrice: "无", Received: o.received, GeneratedAt: o.closedAt}
	if l.MaxPrice > 0 {
		d.MaxPrice = l.MaxPrice.Yuan() + " 元"
	}
	if err := q.QueryRow(ctx, "SELECT name FROM centres WHERE id = ?", p.CentreID).Scan(&d.CentreName); err != nil {
		return d, err
	}
	for _, b := range bids {
		d.Bids = append(d.Bids, s.view(ctx, q, b, names))
	}
	return d, nil
}

// makeRecord renders and signs the record's PDF when a renderer is
// configured. It returns the SM3 of the PDF ("" without one) and, apart
// from err, the renderer's failure: a missing Chinese font must not stop
// the opening, so the caller decides (the PDF is made again when first
// asked for).
func (s *Service) makeRecord(ctx context.Context, tx *db.Tx, l tender.Lot, p tender.Project, round int) (digest string, renderErr, err error) {
	if s.RecordPDF == nil {
		return "", nil, nil
	}
	o, _, err := getOpening(ctx, tx, l.ID, round)
	if err != nil {
		return "", nil, err
	}
	doc, err := s.recordDoc(ctx, tx, l, p, o)
	if err != nil {
		return "", nil, err
	}
	pdf, renderErr := s.RecordPDF(doc)
	if renderErr != nil {
		return "", renderErr, nil
	}
	ref, err := s.Blobs.Put(ctx, bytes.NewReader(pdf), int64(len(pdf)))
	if err != nil {
		return "", nil, err
	}
	sum := gm.SM3(pdf)
	sig, err := gm.Sign(s.Keys.Platform, recordMessage(sum[:]))
	if err != nil {
		return "", nil, err
	}
	_, err = tx.Exec(ctx, "UPDATE openings SET record_blob = ?, record_digest = ?, record_signature = ? WHERE lot_id = ? AND round = ?",
		ref.Key, sum[:], sig, l.ID, round)
	return hex.EncodeToString(sum[:]), nil, err
}

const recordDomain = "ggzy/opening-record/v1\n"

func recordMessage(digest []byte) []byte { return append([]byte(recordDomain), digest...) }

// VerifyRecord checks an opening record PDF against the platform's
// signature over its SM3.
func VerifyRecord(pub []byte, pdf, sig []byte) bool {
	key, err := gm.ParsePublicKeyPEM(pub)
	if err != nil {
		return false
	}
	sum := gm.SM3(pdf)
	return gm.Verify(key, recordMessage(sum[:]), sig)
}

// lotFor loads a lot with its project and checks the actor may look at
// its opening: the project's side, the centre's staff and the supervisors
// in jurisdiction, admins, and bidders (an opening is public to them).
func (s *Service) lotFor(ctx context.Context, q db.Querier, a auth.Actor, lotID int64) (tender.Lot, tender.Project, error) {
	l, err := tender.GetLot(ctx, q, lotID)
	if err != nil {
		return l, tender.Project{}, err
	}
	p, err := tender.GetProject(ctx, q, l.ProjectID)
	if err != nil {
		return l, p, err
	}
	if a.Role == auth.Admin || tender.Visible(a, p) {
		return l, p, nil
	}
	// Bidders attend any opening, but only of lots a published tender
	// notice has opened: nothing of a project before its notice is out.
	if a.Role == auth.Bidder && !l.OpeningAt.IsZero() && published(p.State) {
		return l, p, nil
	}
	return l, p, errs.E(errs.NotFound, "标段不存在")
}

// published reports whether a project's tender notice is out.
func published(st tender.State) bool {
	switch st {
	case tender.Draft, tender.Submitted, tender.Returned, tender.Accepted:
		return false
	}
	return true
}

// Hall is the opening hall of a lot's current round at this moment (see
// HallRound).
func (s *Service) Hall(ctx context.Context, a auth.Actor, lotID int64) (Hall, error) {
	return s.HallRound(ctx, a, lotID, 0)
}

// HallRound is the opening hall of one round of a lot (0: the current
// round) at this moment. Before the round's deadline it shows the server
// time and the countdown only: not who bid, nor how many (RULES B3).
// During decryption it shows how many bids were received and who has
// decrypted; once recorded, the whole record (B5). Every hall lists the
// lot's rounds, so earlier rounds' records stay at hand.
func (s *Service) HallRound(ctx context.Context, a auth.Actor, lotID int64, round int) (Hall, error) {
	if err := a.Authorize(auth.ViewOpening); err != nil {
		return Hall{}, err
	}
	l, p, err := s.lotFor(ctx, s.DB, a, lotID)
	if err != nil {
		return Hall{}, err
	}
	cur, err := currentRound(ctx, s.DB, l)
	if err != nil {
		return Hall{}, err
	}
	if round, err = pickRound(ctx, s.DB, l, round); err != nil {
		return Hall{}, err
	}
	h := Hall{LotID: l.ID, ProjectID: p.ID, ProjectCode: p.Code, ProjectName: p.Name, LotName: l.Name, MaxPrice: l.MaxPrice,
		ServerTime: s.Clock.Now(), Round: round, CurrentRound: cur, Deadline: l.BidDeadline, State: Waiting}
	if h.Rounds, err = rounds(ctx, s.DB, l, cur); err != nil {
		return h, err
	}
	o, found, err := getOpening(ctx, s.DB, lotID, round)
	if err != nil {
		return h, err
	}
	if found {
		h.Deadline = o.bidDeadline
		h.State, h.WindowEndsAt, h.Received, h.Failure = o.state, o.windowEndsAt, o.received, o.failure
		if o.state == Recorded && len(o.recordDigest) > 0 {
			h.RecordDigest = hex.EncodeToString(o.recordDigest)
		}
		bids, err := openedOfLot(ctx, s.DB, lotID, round)
		if err != nil {
			return h, err
		}
		ids := make([]int64, 0, len(bids))
		for _, b := range bids {
			ids = append(ids, b.orgID)
		}
		names, err := orgNames(ctx, s.DB, ids)
		if err != nil {
			return h, err
		}
		for _, b := range bids {
			if b.status == Decrypted {
				h.Decrypted = append(h.Decrypted, names[b.orgID])
			}
			if o.state == Recorded {
				h.Bids = append(h.Bids, s.view(ctx, s.DB, b, names))
			}
		}
		if o.state == Recorded {
			if h.Responses, err = responses(ctx, s.DB, lotID, round); err != nil {
				return h, err
			}
		}
	}
	h.StateText = h.State.Label()
	return h, nil
}

// Record is the signed opening record of a lot as JSON: the document's
// data, the SM3 of its PDF and the platform signature.
type Record struct {
	Hall
	Signature []byte `json:"signature,omitempty"`
}

// RecordPDFOf returns the opening record PDF of a round (0: the current
// round) and its signature, making it now if the opening could not (see
// makeRecord).
func (s *Service) RecordPDFOf(ctx context.Context, a auth.Actor, lotID int64, round int) ([]byte, []byte, error) {
	if err := a.Authorize(auth.ViewOpening); err != nil {
		return nil, nil, err
	}
	l, p, err := s.lotFor(ctx, s.DB, a, lotID)
	if err != nil {
		return nil, nil, err
	}
	if round, err = pickRound(ctx, s.DB, l, round); err != nil {
		return nil, nil, err
	}
	o, found, err := getOpening(ctx, s.DB, lotID, round)
	if err != nil {
		return nil, nil, err
	}
	if !found || o.state != Recorded {
		return nil, nil, errs.E(errs.Conflict, "开标尚未结束，还没有开标记录")
	}
	if o.recordBlob == "" {
		if s.RecordPDF == nil {
			return nil, nil, errs.E(errs.Conflict, "本平台未配置开标记录 PDF")
		}
		var renderErr error
		err := s.DB.Transact(ctx, func(tx *db.Tx) error {
			var err error
			var digest string
			if digest, renderErr, err = s.makeRecord(ctx, tx, l, p, round); err != nil || renderErr != nil {
				return err
			}
			if err := s.Record(ctx, tx, a, "opening.record_pdf", "lot", fmt.Sprint(lotID), p.RegionCode, p.Industry,
				map[string]any{"lot": l.Name, "round": round, "record_sm3": digest}); err != nil {
				return err
			}
			o, _, err = getOpening(ctx, tx, lotID, round)
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		if renderErr != nil {
			return nil, nil, errs.Wrap(errs.Internal, renderErr, "开标记录 PDF 生成失败，请联系平台管理员（可能未安装中文字体）")
		}
	}
	rc, err := s.Blobs.Open(ctx, o.recordBlob)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), o.recordSignature, nil
}

// RecordOf is the opening record of a round (0: the current round) as
// data with its signature.
func (s *Service) RecordOf(ctx context.Context, a auth.Actor, lotID int64, round int) (Record, error) {
	h, err := s.HallRound(ctx, a, lotID, round)
	if err != nil {
		return Record{}, err
	}
	if h.State != Recorded {
		return Record{}, errs.E(errs.Conflict, "开标尚未结束，还没有开标记录")
	}
	o, _, err := getOpening(ctx, s.DB, lotID, h.Round)
	return Record{Hall: h, Signature: o.recordSignature}, err
}

func responses(ctx context.Context, q db.Querier, lotID int64, round int) ([]Response, error) {
	rows, err := q.Query(ctx, `SELECT r.id, r.bidder_org_id, o.name, r.kind, r.text, r.created_at, r.answer, r.answered_at
		FROM opening_responses r JOIN organisations o ON o.id = r.bidder_org_id WHERE r.lot_id = ? AND r.round = ? ORDER BY r.id`, lotID, round)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Response{}
	for rows.Next() {
		var r Response
		var created, answered int64
		if err := rows.Scan(&r.ID, &r.BidderID, &r.BidderName, &r.Kind, &r.Text, &created, &r.Answer, &answered); err != nil {
			return nil, err
		}
		r.CreatedAt, r.AnsweredAt = db.Time(created), db.Time(answered)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResponseInput is a bidder's confirmation or objection.
type ResponseInput struct {
	Kind string `json:"kind"` // confirm | objection
	Text string `json:"text"`
}

const maxResponseText = 2000

// Respond lets a bidder of the lot's current round confirm the round's
// opening record or object to it (开标异议, answered by the tenderer on
// the spot: 条例 44).
func (s *Service) Respond(ctx context.Context, a auth.Actor, lotID int64, in ResponseInput) (Response, error) {
	if err := a.Authorize(auth.RespondOpening); err != nil {
		return Response{}, err
	}
	var f errs.Fields
	switch in.Kind {
	case "confirm":
	case "objection":
		if in.Text == "" {
			f.Add("text", "请写明异议的内容")
		}
	default:
		f.Add("kind", "只能是 confirm（确认）或 objection（异议）")
	}
	f.MaxLen("text", "内容", in.Text, maxResponseText)
	if err := f.Err(); err != nil {
		return Response{}, err
	}
	var out Response
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		l, p, err := s.lotFor(ctx, tx, a, lotID)
		if err != nil {
			return err
		}
		_, o, found, err := current(ctx, tx, lotID)
		if err != nil {
			return err
		}
		if !found || o.state != Recorded {
			return errs.E(errs.Conflict, "开标记录尚未生成")
		}
		if _, err := openedOf(ctx, tx, lotID, o.round, a.OrgID); err != nil {
			return errs.E(errs.Forbidden, "只有本标段本轮的投标人可以确认开标记录或提出异议")
		}
		now := s.now()
		if err := tx.QueryRow(ctx, `INSERT INTO opening_responses (lot_id, round, bidder_org_id, kind, text, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, lotID, o.round, a.OrgID, in.Kind, in.Text, a.UserID, db.Micros(now)).Scan(&out.ID); err != nil {
			if errs.Is(err, errs.Conflict) {
				return errs.E(errs.Conflict, "您已确认过开标记录")
			}
			return err
		}
		out.BidderID, out.Kind, out.Text, out.CreatedAt = a.OrgID, in.Kind, in.Text, now
		return s.Record(ctx, tx, a, "opening."+in.Kind, "lot", fmt.Sprint(lotID), p.RegionCode, p.Industry,
			map[string]any{"lot": l.Name, "round": o.round, "response": out.ID, "text": in.Text})
	})
	return out, err
}

// Answer is the tenderer's (or its agent's) answer to an objection.
func (s *Service) Answer(ctx context.Context, a auth.Actor, lotID, responseID int64, text string) (Response, error) {
	if err := a.Authorize(auth.AnswerOpening); err != nil {
		return Response{}, err
	}
	var f errs.Fields
	if text == "" {
		f.Add("text", "请填写答复内容")
	}
	f.MaxLen("text", "答复", text, maxResponseText)
	if err := f.Err(); err != nil {
		return Response{}, err
	}
	var out Response
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		l, p, err := s.lotFor(ctx, tx, a, lotID)
		if err != nil {
			return err
		}
		if !tender.Owns(a, p) {
			return errs.E(errs.Forbidden, "只有招标人或其代理机构可以答复异议")
		}
		now := s.now()
		res, err := tx.Exec(ctx, `UPDATE opening_responses SET answer = ?, answered_by = ?, answered_at = ?
			WHERE id = ? AND lot_id = ? AND kind = 'objection' AND answered_at = 0`, text, a.UserID, db.Micros(now), responseID, lotID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errs.E(errs.Conflict, "该异议不存在或已答复")
		}
		var round int
		if err := tx.QueryRow(ctx, "SELECT round FROM opening_responses WHERE id = ?", responseID).Scan(&round); err != nil {
			return err
		}
		all, err := responses(ctx, tx, lotID, round)
		if err != nil {
			return err
		}
		for _, r := range all {
			if r.ID == responseID {
				out = r
			}
		}
		return s.Record(ctx, tx, a, "opening.answer", "lot", fmt.Sprint(lotID), p.RegionCode, p.Industry,
			map[string]any{"lot": l.Name, "round": round, "response": responseID, "text": text})
	})
	return out, err
}

// Signals lists the supervision signals of the bids of a round of a lot
// (0: the current round) — addresses, sealing machines, digests — once its
// opening has started, marking those shared between bidders.
func (s *Service) Signals(ctx context.Context, a auth.Actor, lotID int64, round int) ([]Signals, error) {
	if err := a.Authorize(auth.ReadSignals); err != nil {
		return nil, err
	}
	l, p, err := s.lotFor(ctx, s.DB, a, lotID)
	if err != nil {
		return nil, err
	}
	if a.Role != auth.Admin && !tender.Oversees(a, p) && !tender.Supervises(a, p) {
		return nil, errs.E(errs.NotFound, "标段不存在")
	}
	if round, err = pickRound(ctx, s.DB, l, round); err != nil {
		return nil, err
	}
	if _, found, err := getOpening(ctx, s.DB, lotID, round); err != nil {
		return nil, err
	} else if !found {
		return nil, errs.Violation("B3", srcB3, "开标前不得查看投标人上传信息")
	}
	bids, err := openedOfLot(ctx, s.DB, lotID, round)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(bids))
	ipCount, toolCount := map[string]int{}, map[string]int{}
	for _, b := range bids {
		ids = append(ids, b.orgID)
		ipCount[b.ip]++
		toolCount[b.tool]++
	}
	names, err := orgNames(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	out := []Signals{}
	for _, b := range bids {
		out = append(out, Signals{BidID: b.id, BidderName: names[b.orgID], IP: b.ip, ToolFingerprint: b.tool,
			CertFingerprint: b.certFP, Digest: b.blobKey, Size: b.size, SealedAt: b.sealedAt, ReceivedAt: b.receivedAt,
			SharedIP: b.ip != "" && ipCount[b.ip] > 1, SharedTool: b.tool != "" && toolCount[b.tool] > 1})
	}
	return out, nil
}

// Settings are a lot's opening settings.
type Settings struct {
	DecryptMinutes int `json:"decrypt_minutes"`
}

// SetSettings changes a lot's decryption window before its deadline
// (default 30 minutes; 10 to 240). It holds for the lot's later rounds
// too. A single-source purchase is not opened online: it has no window.
func (s *Service) SetSettings(ctx context.Context, a auth.Actor, lotID int64, in Settings) (Settings, error) {
	if err := a.Authorize(auth.ManageOpening); err != nil {
		return in, err
	}
	var f errs.Fields
	if in.DecryptMinutes < 10 || in.DecryptMinutes > 240 {
		f.Add("decrypt_minutes", "解密时限应在 10 至 240 分钟之间")
	}
	if err := f.Err(); err != nil {
		return in, err
	}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		l, p, err := s.lotFor(ctx, tx, a, lotID)
		if err != nil {
			return err
		}
		if !tender.Owns(a, p) && !tender.Oversees(a, p) {
			return errs.E(errs.NotFound, "标段不存在")
		}
		if _, err := onlineMinimum(p); err != nil {
			return err
		}
		if !l.BidDeadline.IsZero() && !s.now().Before(l.BidDeadline) {
			return errs.E(errs.Conflict, "投标截止后不能修改解密时限")
		}
		if _, err := tx.Exec(ctx, "UPDATE lots SET decrypt_minutes = ? WHERE id = ?", in.DecryptMinutes, lotID); err != nil {
			return err
		}
		return s.Record(ctx, tx, a, "opening.settings", "lot", fmt.Sprint(lotID), p.RegionCode, p.Industry,
			map[string]any{"lot": l.Name, "decrypt_minutes": in.DecryptMinutes})
	})
	return in, err
}
