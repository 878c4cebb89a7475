package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
)

// Session is a signed-in browser. Token goes into the cookie; only its
// hash is stored, so a copy of the database cannot sign anyone in.
type Session struct {
	Token     string
	CSRF      string
	ExpiresAt time.Time
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) string {
	h := gm.SM3([]byte(token))
	return hex.EncodeToString(h[:])
}

// allowAttempt applies the per-address sign-in limit.
func (s *Service) allowAttempt(ip string) bool {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.attempts[ip][:0]
	for _, t := range s.attempts[ip] {
		if now.Sub(t) < s.cfg.IPWindow {
			kept = append(kept, t)
		}
	}
	if len(kept) >= s.cfg.IPAttempts {
		s.attempts[ip] = kept
		return false
	}
	s.attempts[ip] = append(kept, now)
	return true
}

// badCredentials is the same answer for an unknown user and a wrong
// password, so sign-in does not reveal which usernames exist.
func badCredentials() error { return errs.E(errs.Unauthenticated, "用户名或密码错误") }

// Login checks a password and opens a session. Repeated failures lock the
// account for a while; too many attempts from one address are throttled.
func (s *Service) Login(ctx context.Context, ip, username, password string) (Session, Actor, error) {
	username = normaliseUsername(username)
	var f errs.Fields
	f.Required("username", "用户名", username)
	f.Required("password", "密码", password)
	if err := f.Err(); err != nil {
		return Session{}, Actor{}, err
	}
	if len(username) > 64 || len(password) > 256 {
		return Session{}, Actor{}, badCredentials()
	}
	if !s.allowAttempt(ip) {
		return Session{}, Actor{}, errs.E(errs.TooMany, "登录尝试过于频繁，请%d分钟后再试", int(s.cfg.IPWindow.Minutes()))
	}
	var id int64
	var hash string
	var failures int
	var lockedUntil int64
	err := s.db.QueryRow(ctx, "SELECT id, password_hash, failed_logins, locked_until FROM users WHERE username = ?",
		username).Scan(&id, &hash, &failures, &lockedUntil)
	if errs.Is(err, errs.NotFound) {
		CheckPassword(s.cfg.PasswordHasher.Hash("x"), password) // spend the same time as a real check
		return Session{}, Actor{}, badCredentials()
	}
	if err != nil {
		return Session{}, Actor{}, err
	}
	now := s.clock.Now()
	if until := db.Time(lockedUntil); now.Before(until) {
		return Session{}, Actor{}, errs.E(errs.TooMany, "密码错误次数过多，账户已临时锁定，请于 %s 后再试",
			clock.Format(until))
	}
	if !CheckPassword(hash, password) {
		return Session{}, Actor{}, s.loginFailed(ctx, id, username, ip, failures+1)
	}
	sess := Session{Token: randomToken(32), CSRF: randomToken(24), ExpiresAt: now.Add(s.cfg.SessionTTL)}
	var a Actor
	err = s.db.Transact(ctx, func(tx *db.Tx) error {
		var err error
		if a, err = s.actorOf(ctx, tx, id, ip); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = 0, prev_login_at = last_login_at, last_login_at = ? WHERE id = ?",
			db.Micros(now), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, ip, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, tokenHash(sess.Token), id, sess.CSRF, ip, db.Micros(now), db.Micros(sess.ExpiresAt)); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "user.login", "user", itoa(id), a.Region, nil)
	})
	if err != nil {
		return Session{}, Actor{}, err
	}
	return sess, a, nil
}

// loginFailed counts a wrong password and locks the account at the limit.
func (s *Service) loginFailed(ctx context.Context, id int64, username, ip string, failures int) error {
	locked := false
	err := s.db.Transact(ctx, func(tx *db.Tx) error {
		// Count in the database, not from the value read before the password
		// check: parallel wrong guesses must each count, or the lock-out is
		// bypassed by sending them at once.
		if err := tx.QueryRow(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins",
			id).Scan(&failures); err != nil {
			return err
		}
		locked = failures >= s.cfg.MaxFailures
		if locked {
			until := db.Micros(s.clock.Now().Add(s.cfg.LockFor))
			if _, err := tx.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?",
				until, id); err != nil {
				return err
			}
		}
		action := "user.login_failed"
		if locked {
			action = "user.locked"
		}
		return s.record(ctx, tx, Actor{Username: username, IP: ip}, action, "user", itoa(id), "",
			map[string]any{"failures": failures})
	})
	if err != nil {
		return err
	}
	if locked {
		return errs.E(errs.TooMany, "密码错误次数过多，账户已锁定%d分钟", int(s.cfg.LockFor.Minutes()))
	}
	return badCredentials()
}

// SessionActor resolves a cookie token to its actor and CSRF token.
func (s *Service) SessionActor(ctx context.Context, token, ip string) (Actor, string, error) {
	if token == "" || len(token) > 100 {
		return Actor{}, "", errs.E(errs.Unauthenticated, "请先登录")
	}
	var userID, expires int64
	var csrf string
	err := s.db.QueryRow(ctx, "SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = ?",
		tokenHash(token)).Scan(&userID, &csrf, &expires)
	if errs.Is(err, errs.NotFound) || (err == nil && !s.clock.Now().Before(db.Time(expires))) {
		return Actor{}, "", errs.E(errs.Unauthenticated, "登录已过期，请重新登录")
	}
	if err != nil {
		return Actor{}, "", err
	}
	a, err := s.actorOf(ctx, s.db, userID, ip)
	return a, csrf, err
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, a Actor, token string) error {
	return s.db.Transact(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.record(ctx, tx, a, "user.logout", "user", itoa(a.UserID), a.Region, nil)
	})
}

// PurgeSessions deletes expired sessions; serve runs it now and then.
// It also forgets sign-in attempts older than the throttling window, so the
// per-address table does not grow without bound.
func (s *Service) PurgeSessions(ctx context.Context) error {
	s.forgetAttempts()
	_, err := s.db.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", db.Micros(s.clock.Now()))
	return err
}

func (s *Service) forgetAttempts() {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for ip, ts := range s.attempts {
		if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= s.cfg.IPWindow {
			delete(s.attempts, ip)
		}
	}
}

// trackedAddresses reports how many addresses the throttle remembers.
func (s *Service) trackedAddresses() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.attempts)
}
