package bidding

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// Who bid, and how many, is secret until the lot's deadline (RULES B3;
// 电子招标投标办法 21, 招标投标法 22), from everyone, admins and the
// database operator included — the same scheme as document downloads:
//
//   - a bids row holds the lot, the state and the day in clear; the
//     bidder, the user, the file, the exact time, the address and the
//     machine are sealed with SM4-GCM under the platform data key (gm.Box),
//     bound to the lot by the associated data;
//   - `slot`, a keyed SM3 of (lot, bidder), lets the database keep one
//     active bid per bidder without naming it;
//   - each lot gets a random number of decoy rows before its first bid,
//     so counting rows does not count bids;
//   - the audit events of submissions name no actor, organisation,
//     address or lot: they carry the region and an SM3 commitment to the
//     sealed plaintext, which the opening reveals, so every event can be
//     matched with its bid then and not before.
//
// The sealed container itself holds the bid's content encrypted to the
// bidder's own certificate: neither the database nor the file store ever
// holds a bid's plaintext or its content key before decryption.

const (
	sealVersion      = 1
	bidAAD           = "ggzy/bids/v1|lot="
	commitmentDomain = "ggzy/bid-commitment/v1\n"
	secretActor      = "投标人（开标前保密）"
	srcB3            = "《电子招标投标办法》第二十一条、《招标投标法》第二十二条"
)

// sealedBid is the plaintext of bids.sealed.
type sealedBid struct {
	V     int    `json:"v"`
	Salt  []byte `json:"salt"` // makes the commitment hiding
	Decoy bool   `json:"decoy,omitempty"`
	// Withdrawal marks the row recording a withdrawal (its receipt).
	Withdrawal bool  `json:"withdrawal,omitempty"`
	Org        int64 `json:"org,omitempty"`
	User       int64 `json:"user,omitempty"`
	At         int64 `json:"at,omitempty"` // received, microseconds
	// Blob is the receipt's digest of the container: its container
	// digest (sealed.Envelope.ContainerDigest), or for a bid received
	// before containers were stored split (no Section) the SM3 of the
	// whole file, which is then also its key in the file store.
	Blob string `json:"blob,omitempty"`
	Size int64  `json:"size,omitempty"` // bytes of the whole container
	// The container stored split (see submit.go, receive): the chunk
	// section in the file store under its SM3, Section; the bytes around
	// it, which name the bidder, only here.
	Section  string `json:"section,omitempty"`
	Head     []byte `json:"head,omitempty"`
	Trailer  []byte `json:"trailer,omitempty"`
	CertFP   string `json:"cert,omitempty"`
	Wrapped  []byte `json:"wrapped,omitempty"`
	SealedAt int64  `json:"sealed_at,omitempty"`
	IP       string `json:"ip,omitempty"`
	Tool     string `json:"tool,omitempty"`
	// The receipt as issued, so the bidder can fetch it again.
	Receipt *SignedReceipt `json:"receipt,omitempty"`
	// Pad makes every sealed row the same length up to sealedBlock, the
	// last field (seal).
	Pad string `json:"pad,omitempty"`
}

// sealedBlock: the plaintext of every bids row is padded to a multiple of
// it, so a decoy (a few dozen bytes of its own) is as long as a bid (the
// receipt and the container's envelope: about 3 KB with a certificate of
// the built-in CA) and the length of `sealed` does not tell them apart
// (RULES B3). A bid with a certificate of more than about 2 KB takes two
// blocks and stands out as real, not as whose.
const sealedBlock = 4096

// aadFor binds a sealed row to its lot and round (round 1 as before rounds
// existed, see round.go).
func aadFor(lotID int64, round int) []byte {
	aad := bidAAD + strconv.FormatInt(lotID, 10)
	if round > 1 {
		aad += "|round=" + strconv.Itoa(round)
	}
	return []byte(aad)
}

func commitment(plain []byte) string {
	sum := gm.SM3([]byte(commitmentDomain), plain)
	return hex.EncodeToString(sum[:])
}

// coarseDay is the only time kept in clear: the day (clock.DayStart).
func coarseDay(t time.Time) int64 { return db.Micros(clock.DayStart(t)) }

// slotOf is the keyed index of (lot, round, bidder). A bidder's slots in
// two rounds differ, so nobody can tell before a round's deadline that a
// bidder named at an earlier round's opening bids again.
func (s *Service) slotOf(lotID int64, round int, orgID int64) string {
	in := "bid-slot|" + strconv.FormatInt(lotID, 10) + "|" + strconv.FormatInt(orgID, 10)
	if round > 1 {
		in += "|round=" + strconv.Itoa(round)
	}
	return s.Keys.PII.Index(in)
}

// seal encrypts rec for a round of a lot; it returns the ciphertext and
// the commitment.
func (s *Service) seal(lotID int64, round int, rec sealedBid) ([]byte, string, error) {
	rec.V = sealVersion
	rec.Salt = make([]byte, 16)
	rand.Read(rec.Salt)
	plain, err := json.Marshal(rec)
	if err != nil {
		return nil, "", err
	}
	// Padded to a multiple of sealedBlock: `,"pad":"…"` adds 9 bytes and
	// the padding.
	rec.Pad = strings.Repeat(" ", sealedBlock-(len(plain)+9)%sealedBlock)
	if plain, err = json.Marshal(rec); err != nil {
		return nil, "", err
	}
	return s.Keys.PII.Seal(plain, aadFor(lotID, round)), commitment(plain), nil
}

// unseal opens one bids row of a round of a lot.
func (s *Service) unseal(lotID int64, round int, b []byte) (sealedBid, string, error) {
	var rec sealedBid
	plain, err := s.Keys.PII.Open(b, aadFor(lotID, round))
	if err != nil {
		return rec, "", errs.Wrap(errs.Internal, err, "投标记录无法解密")
	}
	if err := json.Unmarshal(plain, &rec); err != nil {
		return rec, "", errs.Wrap(errs.Internal, err, "投标记录格式不正确")
	}
	return rec, commitment(plain), nil
}

// ensureDecoys gives a round of a lot its decoy rows once, before its
// first bid is stored (or when the housekeeping prepares lots whose
// deadline is set).
func (s *Service) ensureDecoys(ctx context.Context, tx *db.Tx, lotID int64, round int, now time.Time) error {
	// A committed row means the decoys are there (they are inserted before
	// any bid, in the same transaction), so only the first uploads take the
	// lock: held to the commit, it would otherwise queue every upload to
	// the lot behind the one before (PostgreSQL).
	var n int
	count := func() error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM bids WHERE lot_id = ? AND round = ?", lotID, round).Scan(&n)
	}
	if err := count(); err != nil || n > 0 {
		return err
	}
	// Concurrent first uploads must not each add decoys (PostgreSQL;
	// SQLite's write transactions are serial already). Read committed: the
	// count after the lock sees what the holder before committed.
	if err := tx.Lock(ctx, decoyLockKey(lotID)); err != nil {
		return err
	}
	if err := count(); err != nil || n > 0 {
		return err
	}
	k := s.DecoysMin
	if spread := s.DecoysMax - s.DecoysMin; spread > 0 {
		r, err := rand.Int(rand.Reader, big.NewInt(int64(spread+1)))
		if err != nil {
			return err
		}
		k += int(r.Int64())
	}
	for range k {
		sealed, _, err := s.seal(lotID, round, sealedBid{Decoy: true})
		if err != nil {
			return err
		}
		slot := make([]byte, 32)
		rand.Read(slot)
		// Decoys look active: the state column must not tell them apart.
		if _, err := tx.Exec(ctx, "INSERT INTO bids (lot_id, round, slot, state, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			lotID, round, hex.EncodeToString(slot), "active", sealed, coarseDay(now)); err != nil {
			return err
		}
	}
	return nil
}

// PrepareDue gives every lot that has a bid deadline in the future and no
// bids rows in its current round yet its decoys, so even the moment of a
// round's first bid is not visible in the table. The serve loop calls it
// with the other housekeeping.
func (s *Service) PrepareDue(ctx context.Context) (int, error) {
	now := s.now()
	rows, err := s.DB.Query(ctx, `SELECT l.id, `+roundSQL+` FROM lots l WHERE l.bid_deadline > ?
		AND NOT EXISTS (SELECT 1 FROM bids b WHERE b.lot_id = l.id AND b.round = `+roundSQL+`) ORDER BY l.id LIMIT 500`, db.Micros(now))
	if err != nil {
		return 0, err
	}
	due, err := scanRounds(rows)
	if err != nil {
		return 0, err
	}
	for _, d := range due {
		if err := s.DB.Transact(ctx, func(tx *db.Tx) error { return s.ensureDecoys(ctx, tx, d.lotID, d.round, now) }); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// lotRound is one round of one lot.
type lotRound struct {
	lotID int64
	round int
}

func scanRounds(rows interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}) ([]lotRound, error) {
	defer rows.Close()
	var out []lotRound
	for rows.Next() {
		var r lotRound
		if err := rows.Scan(&r.lotID, &r.round); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanIDs(rows interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// decoyLockKey serialises the decoys of one lot.
func decoyLockKey(lotID int64) int64 { return 0x6465636f<<32 | lotID }
