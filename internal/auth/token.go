package auth

import (
	"context"
	"strings"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// Token is an API token for programs acting for an organisation (the
// bidder's sealing tool, a bank's file exchange, an upstream platform). It
// carries the role of the user who made it; only its hash is stored.
type Token struct {
	ID         int64     `json:"id"`
	OrgID      int64     `json:"org_id"`
	UserID     int64     `json:"user_id"`
	Name       string    `json:"name"`
	Prefix     string    `json:"prefix"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// tokenPrefix marks ggzy tokens so secret scanners and people recognise them.
const tokenPrefix = "ggzy_"

// CreateToken issues a token valid for days; the secret is returned once.
func (s *Service) CreateToken(ctx context.Context, a Actor, name string, days int) (string, Token, error) {
	if err := a.Authorize(ManageTokens); err != nil {
		return "", Token{}, err
	}
	if a.ViaToken {
		return "", Token{}, errs.E(errs.Forbidden, "不能用API令牌创建新令牌，请登录后操作")
	}
	name = strings.TrimSpace(name)
	var f errs.Fields
	if f.Required("name", "令牌名称", name) {
		f.MaxLen("name", "令牌名称", name, 50)
	}
	if days < 1 || days > s.cfg.TokenMaxDays {
		f.Add("days", "有效期须为1至%d天", s.cfg.TokenMaxDays)
	}
	if err := f.Err(); err != nil {
		return "", Token{}, err
	}
	secret := tokenPrefix + randomToken(32)
	now := s.clock.Now()
	t := Token{OrgID: a.OrgID, UserID: a.UserID, Name: name, Prefix: secret[:len(tokenPrefix)+6],
		CreatedAt: now, ExpiresAt: now.AddDate(0, 0, days)}
	err := s.db.Transact(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO api_tokens (org_id, user_id, name, prefix, token_hash, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.OrgID, t.UserID, t.Name, t.Prefix, tokenHash(secret),
			db.Micros(t.CreatedAt), db.Micros(t.ExpiresAt)).Scan(&t.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "token.create", "api_token", itoa(t.ID), a.Region,
			map[string]any{"name": t.Name, "prefix": t.Prefix, "expires_at": t.ExpiresAt.Format(time.RFC3339)})
	})
	return secret, t, err
}

const tokenColumns = "id, org_id, user_id, name, prefix, created_at, expires_at, revoked_at, last_used_at"

// ListTokens lists the tokens of the actor's organisation.
func (s *Service) ListTokens(ctx context.Context, a Actor) ([]Token, error) {
	if err := a.Authorize(ManageTokens); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE org_id = ? ORDER BY id DESC", a.OrgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var c, e, r, l int64
		if err := rows.Scan(&t.ID, &t.OrgID, &t.UserID, &t.Name, &t.Prefix, &c, &e, &r, &l); err != nil {
			return nil, err
		}
		t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt = db.Time(c), db.Time(e), db.Time(r), db.Time(l)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends a token of the actor's organisation at once.
func (s *Service) RevokeToken(ctx context.Context, a Actor, id int64) error {
	if err := a.Authorize(ManageTokens); err != nil {
		return err
	}
	return s.db.Transact(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND org_id = ? AND revoked_at = 0",
			db.Micros(s.clock.Now()), id, a.OrgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "令牌不存在或已吊销")
		}
		return s.record(ctx, tx, a, "token.revoke", "api_token", itoa(id), a.Region, nil)
	})
}

// TokenActor resolves a bearer token to the actor it stands for.
func (s *Service) TokenActor(ctx context.Context, secret, ip string) (Actor, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return Actor{}, errs.E(errs.Unauthenticated, "API令牌无效")
	}
	var id, userID, expires, revoked int64
	err := s.db.QueryRow(ctx, "SELECT id, user_id, expires_at, revoked_at FROM api_tokens WHERE token_hash = ?",
		tokenHash(secret)).Scan(&id, &userID, &expires, &revoked)
	if errs.Is(err, errs.NotFound) {
		return Actor{}, errs.E(errs.Unauthenticated, "API令牌无效")
	}
	if err != nil {
		return Actor{}, err
	}
	now := s.clock.Now()
	if revoked != 0 {
		return Actor{}, errs.E(errs.Unauthenticated, "API令牌已吊销")
	}
	if !now.Before(db.Time(expires)) {
		return Actor{}, errs.E(errs.Unauthenticated, "API令牌已过期")
	}
	a, err := s.actorOf(ctx, s.db, userID, ip)
	if err != nil {
		return Actor{}, err
	}
	a.ViaToken = true
	// Last use is a hint for the owner, not a state change worth a trail
	// event. It is kept to the day: an exact time could be matched against
	// the time of a secret tender-document download (RULES B3).
	day := now.In(clock.Shanghai)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, clock.Shanghai)
	s.db.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", db.Micros(day), id)
	return a, nil
}
