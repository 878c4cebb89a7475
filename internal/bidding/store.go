package bidding

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/money"
)

func dbTime(us int64) time.Time { return db.Time(us) }

// openedRow is one row of opened_bids.
type openedRow struct {
	id, lotID, orgID, userID, receiptSeq int64
	round                                int
	receivedAt, sealedAt, decryptedAt    time.Time
	blobKey, certFP, ip, tool            string
	size                                 int64
	wrapped, contentKey                  []byte
	status                               Status
	cause                                Cause
	attempts                             int
	price                                money.Fen
	duration                             int
	quality, manager, managerCert        string
	extra                                map[string]string
	files                                []FileInfo
	aboveMax                             bool
}

// FileInfo is one file of a decrypted bid.
type FileInfo struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Digest string `json:"sm3"`
}

const openedCols = `id, lot_id, round, bidder_org_id, user_id, receipt_seq, received_at, blob_key, size, cert_fingerprint,
	wrapped_key, ip, tool_fingerprint, sealed_at, status, failure_cause, attempts, content_key, price, duration_days,
	quality, manager, manager_cert, extra, files, above_max, decrypted_at`

func scanOpened(row interface{ Scan(...any) error }) (openedRow, error) {
	var o openedRow
	var received, sealedAt, decrypted int64
	var extra, files string
	var aboveMax int
	err := row.Scan(&o.id, &o.lotID, &o.round, &o.orgID, &o.userID, &o.receiptSeq, &received, &o.blobKey, &o.size, &o.certFP,
		&o.wrapped, &o.ip, &o.tool, &sealedAt, &o.status, &o.cause, &o.attempts, &o.contentKey, &o.price, &o.duration,
		&o.quality, &o.manager, &o.managerCert, &extra, &files, &aboveMax, &decrypted)
	if err != nil {
		return o, err
	}
	o.receivedAt, o.sealedAt, o.decryptedAt, o.aboveMax = db.Time(received), db.Time(sealedAt), db.Time(decrypted), aboveMax != 0
	if err := json.Unmarshal([]byte(extra), &o.extra); err != nil {
		return o, err
	}
	return o, json.Unmarshal([]byte(files), &o.files)
}

// openedOf is the bidder's opened bid in one round of a lot.
func openedOf(ctx context.Context, q db.Querier, lotID int64, round int, orgID int64) (openedRow, error) {
	o, err := scanOpened(q.QueryRow(ctx, "SELECT "+openedCols+" FROM opened_bids WHERE lot_id = ? AND round = ? AND bidder_org_id = ?",
		lotID, round, orgID))
	if errs.Is(err, errs.NotFound) {
		return o, errs.E(errs.NotFound, "您在该标段没有投标")
	}
	return o, err
}

// openedOfLot lists the opened bids of one round of a lot.
func openedOfLot(ctx context.Context, q db.Querier, lotID int64, round int) ([]openedRow, error) {
	rows, err := q.Query(ctx, "SELECT "+openedCols+" FROM opened_bids WHERE lot_id = ? AND round = ? ORDER BY receipt_seq", lotID, round)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []openedRow
	for rows.Next() {
		o, err := scanOpened(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func insertOpened(ctx context.Context, tx *db.Tx, o openedRow) error {
	_, err := tx.Exec(ctx, `INSERT INTO opened_bids (id, lot_id, round, bidder_org_id, user_id, receipt_seq, received_at, blob_key,
		size, cert_fingerprint, wrapped_key, ip, tool_fingerprint, sealed_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.id, o.lotID, o.round, o.orgID, o.userID, o.receiptSeq, db.Micros(o.receivedAt), o.blobKey, o.size, o.certFP, o.wrapped,
		o.ip, o.tool, db.Micros(o.sealedAt), Pending)
	return err
}

// opening is one row of openings: one round of a lot.
type opening struct {
	lotID                             int64
	round                             int
	bidDeadline                       time.Time // the deadline the round was opened at
	state                             OpeningState
	startedAt, windowEndsAt, closedAt time.Time
	received                          int
	failure                           string
	failureNotice                     int64
	recordBlob                        string
	recordDigest, recordSignature     []byte
}

const openingCols = `lot_id, round, bid_deadline, state, started_at, window_ends_at, closed_at, bids_received, failure_reason, failure_notice,
	record_blob, record_digest, record_signature`

// getOpening reads the opening of one round of a lot.
func getOpening(ctx context.Context, q db.Querier, lotID int64, round int) (opening, bool, error) {
	o, err := scanOpening(q.QueryRow(ctx, "SELECT "+openingCols+" FROM openings WHERE lot_id = ? AND round = ?", lotID, round))
	if errs.Is(err, errs.NotFound) {
		return o, false, nil
	}
	return o, err == nil, err
}

func scanOpening(row interface{ Scan(...any) error }) (opening, error) {
	var o opening
	var deadline, started, ends, closed int64
	var notice sql.NullInt64
	err := row.Scan(&o.lotID, &o.round, &deadline, &o.state, &started, &ends, &closed, &o.received, &o.failure, &notice,
		&o.recordBlob, &o.recordDigest, &o.recordSignature)
	o.bidDeadline, o.startedAt, o.windowEndsAt, o.closedAt = db.Time(deadline), db.Time(started), db.Time(ends), db.Time(closed)
	o.failureNotice = notice.Int64
	return o, err
}

// openingsOf lists every opening of a lot, first round first.
func openingsOf(ctx context.Context, q db.Querier, lotID int64) ([]opening, error) {
	rows, err := q.Query(ctx, "SELECT "+openingCols+" FROM openings WHERE lot_id = ? ORDER BY round", lotID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []opening
	for rows.Next() {
		o, err := scanOpening(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func orgNames(ctx context.Context, q db.Querier, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		var name string
		if err := q.QueryRow(ctx, "SELECT name FROM organisations WHERE id = ?", id).Scan(&name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, nil
}
