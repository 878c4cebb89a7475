package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"ggzy/internal/clock"
)

// Mail sends plain-text UTF-8 e-mail through an SMTP relay (also how most
// SMS gateways take messages: an address per mobile number). STARTTLS is
// used whenever the server offers it; AUTH PLAIN only when a user name is
// set (net/smtp refuses to send a password over an unencrypted connection
// except to localhost).
type Mail struct {
	Addr     string      // host:port of the relay
	From     string      // "公共资源交易平台 <noreply@example.cn>"
	Username string      // optional
	Password string      // optional
	TLS      *tls.Config // nil: verify the relay's certificate for its host name
	Timeout  time.Duration
	Clock    clock.Clock // for the Date header; nil: system clock
}

func (m *Mail) Name() string { return "mail" }

// Send mails msg.Text (and msg.Link, if any) to msg.Email.
func (m *Mail) Send(ctx context.Context, msg Message) error {
	if strings.TrimSpace(msg.Email) == "" {
		return ErrNoAddress
	}
	to, err := mail.ParseAddress(msg.Email)
	if err != nil {
		return fmt.Errorf("notify: 收件地址无效: %w", err)
	}
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return fmt.Errorf("notify: 发件地址无效: %w", err)
	}
	data, err := m.compose(from, to, msg)
	if err != nil {
		return err
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("notify: 连接邮件服务器 %s: %w", m.Addr, err)
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("notify: SMTP: %w", err)
	}
	defer c.Close()
	if err := c.Hello("ggzy"); err != nil {
		return fmt.Errorf("notify: SMTP HELO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := m.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("notify: SMTP STARTTLS: %w", err)
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return fmt.Errorf("notify: SMTP 认证: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("notify: SMTP MAIL: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("notify: SMTP RCPT: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify: SMTP DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("notify: SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify: 邮件服务器拒收: %w", err)
	}
	return c.Quit()
}

// compose builds the RFC 5322 message: encoded-word subject, base64 body.
// Header values come from parsed addresses and an encoded subject, so no
// caller-supplied text can add a header line.
func (m *Mail) compose(from, to *mail.Address, msg Message) ([]byte, error) {
	now := time.Now()
	if m.Clock != nil {
		now = m.Clock.Now()
	}
	subject := msg.Subject
	if subject == "" {
		subject = "平台通知"
	}
	text := msg.Text
	if msg.Link != "" {
		text += "\r\n\r\n" + msg.Link
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", to.String())
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.BEncoding.Encode("UTF-8", oneLine(subject)))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	if ValidCallID(msg.CallID) {
		fmt.Fprintf(&b, "Message-ID: <%s@ggzy>\r\n", msg.CallID)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(text))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes(), nil
}

func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
