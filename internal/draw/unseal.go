package draw

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/expert"
	"ggzy/internal/gm"
	"ggzy/internal/pdf"
	"ggzy/internal/tender"
)

// The sealed list. Until the booked start of the evaluation the drawn
// experts are known to the system only: every call row holds its expert
// sealed, staff and the witness see masked names. At the start the
// housekeeping unseals the list: the ids are written in clear for the
// evaluation session, the engagements of the calls are written to the
// library with their outcomes (nothing was booked there while sealed), and
// the seed is revealed in the audit log, so anyone can replay the draw.
// For government procurement the names still go to the panel session only
// (staff running it, the members themselves) until the result is
// published (RULES C12).

const listTag = "ggzy-draw-list-v1\n"

// listEntry is one call of the unsealed list.
type listEntry struct {
	Specialty string
	Position  int
	ExpertID  int64
	State     CallState
}

// ListDigest is SM3 of the canonical list: "ggzy-draw-list-v1\n" u32(n)
// { str(specialty) u32(position) u64(expert) str(state) } in call order.
// It is printed on the sealed list and revealed at unsealing, so the
// printed list and the unsealed one can be compared.
func ListDigest(entries []listEntry) [32]byte {
	var b bytes.Buffer
	b.WriteString(listTag)
	b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(entries))))
	for _, e := range entries {
		putStr(&b, e.Specialty)
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(e.Position)))
		b.Write(binary.BigEndian.AppendUint64(nil, uint64(e.ExpertID)))
		putStr(&b, string(e.State))
	}
	return gm.SM3(b.Bytes())
}

// listOf opens the calls of a draw into list entries.
func (s *Service) listOf(calls []callRow) ([]listEntry, error) {
	out := make([]listEntry, 0, len(calls))
	for _, c := range calls {
		id, err := s.expertOf(c)
		if err != nil {
			return nil, err
		}
		out = append(out, listEntry{c.Specialty, c.Position, id, c.State})
	}
	return out, nil
}

// UnsealDue unseals every drawn list whose evaluation has started; the
// server's housekeeping calls it (through Tick). It returns how many.
func (s *Service) UnsealDue(ctx context.Context) (int, error) {
	var ids []int64
	rows, err := s.DB.Query(ctx, "SELECT id FROM draws WHERE unsealed_at = 0 AND witnessed_at > 0 AND eval_start <= ? ORDER BY id",
		db.Micros(s.Clock.Now()))
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		done := false
		err := s.DB.Transact(ctx, func(tx *db.Tx) error {
			done = false
			r, err := lockDraw(ctx, tx, id)
			if err != nil {
				return err
			}
			if !r.UnsealedAt.IsZero() {
				return nil
			}
			seed, err := s.openSeed(r)
			if err != nil {
				return err
			}
			calls, err := callsOf(ctx, tx, id)
			if err != nil {
				return err
			}
			list, err := s.listOf(calls)
			if err != nil {
				return err
			}
			p, err := tender.GetProject(ctx, tx, r.ProjectID)
			if err != nil {
				return err
			}
			engaged, err := s.engageList(ctx, tx, r, p, calls, list)
			if err != nil {
				return err
			}
			now := s.Clock.Now()
			if _, err := tx.Exec(ctx, "UPDATE draws SET seed = ?, unsealed_at = ? WHERE id = ?", seed, db.Micros(now), id); err != nil {
				return err
			}
			digest := ListDigest(list)
			done = true
			return s.Record(ctx, tx, timerActor, "draw.unseal", "draw", itoa(id), p.RegionCode, p.Industry, map[string]any{
				"seed": hex.EncodeToString(seed), "list_digest": hex.EncodeToString(digest[:]), "calls": len(calls),
				"engagements": engaged, "confidential": p.TradeKind == tender.Procurement,
				"names_to": map[bool]string{true: "panel_session", false: "evaluation_session"}[p.TradeKind == tender.Procurement]})
		})
		if err != nil {
			return n, err
		}
		if done {
			n++
			s.changed(id)
		}
	}
	return n, nil
}

// engageList writes the unsealed list in clear: each call's expert id, and
// the engagement of every call that reached its expert, with the outcome
// it has now (invited while still waiting; the call-out updates it from
// here on). Until this moment the library held no engagement for the
// draw, so its history, the “served this tenderer” count and the decline
// flag learn of the draw only now. A call that failed because the expert
// was booked elsewhere never reached them and books nothing; a call that
// already has an engagement (made before engagements waited for
// unsealing) keeps it. It returns how many engagements it wrote.
func (s *Service) engageList(ctx context.Context, tx *db.Tx, r row, p tender.Project, calls []callRow,
	list []listEntry) (int, error) {
	n := 0
	for i, c := range calls {
		engID := c.EngagementID
		if engID == 0 && !(c.State == Failed && c.Note == noteBooked) {
			var err error
			engID, err = expert.RecordEngagementTx(ctx, tx, expert.Engagement{ExpertID: list[i].ExpertID,
				TendererOrgID: p.TendererOrgID, LotID: r.LotID, From: r.EvalStart, To: r.EvalEnd, Ref: "draw:" + itoa(r.ID),
				Outcome: outcomeOf(c.State)})
			if err != nil {
				return n, err
			}
			n++
		}
		if _, err := tx.Exec(ctx, "UPDATE draw_calls SET expert_id = ?, engagement_id = ? WHERE id = ?", list[i].ExpertID,
			engID, c.ID); err != nil {
			return n, err
		}
	}
	return n, nil
}

// SealedList renders the list for the evaluation room as a PDF. Before
// unsealing it shows every call with the name masked and the list digest
// (SM3, revealed again at unsealing), so the printed sheet can be sealed in
// an envelope and checked when it is opened; after unsealing it shows the
// names. Only the draw's witness prints it, and every print is audited.
func (s *Service) SealedList(ctx context.Context, a auth.Actor, id int64) ([]byte, error) {
	if err := a.Authorize(auth.PrintDrawList); err != nil {
		return nil, err
	}
	var doc pdf.Doc
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		r, p, err := s.lockFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !witnesses(a, p) {
			return errs.E(errs.Forbidden, "只有本次抽取的监督见证人可以打印密封名单")
		}
		if r.WitnessedAt.IsZero() {
			return errs.E(errs.Conflict, "尚未抽取，没有可打印的名单")
		}
		calls, err := callsOf(ctx, tx, id)
		if err != nil {
			return err
		}
		list, err := s.listOf(calls)
		if err != nil {
			return err
		}
		digest := ListDigest(list)
		unsealed := !r.UnsealedAt.IsZero()
		d, err := s.view(ctx, tx, a, r, p, true)
		if err != nil {
			return err
		}
		doc = sealedDoc(d, list, digest, unsealed, s.Clock.Now(), func(id int64) string {
			ct, err := s.lib.Contact(ctx, tx, id)
			if err != nil {
				return "（无法读取）"
			}
			if unsealed {
				return ct.Name
			}
			return expert.Mask(ct.Name)
		})
		return s.Record(ctx, tx, a, "draw.print", "draw", itoa(id), p.RegionCode, p.Industry, map[string]any{
			"list_digest": hex.EncodeToString(digest[:]), "names": unsealed, "calls": len(calls)})
	})
	if err != nil {
		return nil, err
	}
	b, err := pdf.Render(doc)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "生成 PDF 失败")
	}
	return b, nil
}

func sealedDoc(d Draw, list []listEntry, digest [32]byte, unsealed bool, now time.Time, name func(int64) string) pdf.Doc {
	rows := [][]string{}
	for i, e := range list {
		r := map[string]string{"formal": "正式", "alternate": "候补"}[d.Calls[i].Role]
		rows = append(rows, []string{e.Specialty, fmt.Sprint(e.Position + 1), name(e.ExpertID), e.State.Label(), r})
	}
	mark, subtitle := "密封", "评标开始前不得拆封；拆封时核对名单摘要"
	if unsealed {
		mark, subtitle = "已启封", "评标已开始，名单已启封"
	}
	return pdf.Doc{
		Title: "评标专家抽取名单", Subtitle: subtitle,
		Meta: [][2]string{{"项目", d.ProjectCode + " " + d.ProjectName}, {"标段", d.LotName},
			{"评标时间", clock.Format(d.EvalStart) + " 至 " + clock.Format(d.EvalEnd)}, {"地点", d.Venue},
			{"抽取编号", itoa(d.ID)}, {"专家池摘要（SM3）", d.PoolDigest}, {"种子承诺（SM3）", d.Commitment},
			{"见证随机数", d.Contribution}, {"名单摘要（SM3）", hex.EncodeToString(digest[:])}},
		Blocks: []pdf.Block{
			pdf.Table{Headers: []string{"专业", "序号", "姓名", "答复", "身份"}, Widths: []float64{2, 1, 2, 2, 1.5}, Rows: rows},
			pdf.Para{Text: "序号为该专业抽取序列中的位置；拒绝、超时、无法联系者由序列中的下一位依次递补（规则 A16）。" +
				"启封后可用 ggzy draw verify 或平台“核验本次抽取”按全程留痕记录重放核对。", Small: true},
			pdf.Signatures{Labels: []string{"监督人", "交易中心工作人员"}},
		},
		Footer:    "打印于 " + clock.Format(now) + " · 每次打印均记入审计日志",
		Watermark: mark,
	}
}
