package testenv_test

import (
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/testenv"
)

func TestEnvComesUp(t *testing.T) {
	e := testenv.New(t)
	for _, r := range auth.Roles {
		c := e.Client(r)
		var me map[string]any
		if st := c.JSON("GET", "/api/v1/me", nil, &me); st != 200 {
			t.Fatalf("%s: me status %d", r, st)
		}
	}
}
