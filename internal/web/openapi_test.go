package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/testenv"
	"ggzy/internal/web"
)

// openAPIDoc is the part of an OpenAPI 3 document the tests check.
type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title   string `json:"title"`
		Version string `json:"version"`
	} `json:"info"`
	Paths map[string]map[string]json.RawMessage `json:"paths"`
}

type openAPIOperation struct {
	Summary    string `json:"summary"`
	Parameters []struct {
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
	} `json:"parameters"`
	// Security is nil when the operation inherits the document's
	// requirement (signed in), and an empty list when it is public.
	Security  *[]map[string][]string     `json:"security"`
	Responses map[string]json.RawMessage `json:"responses"`
}

// httpMethods are the keys of a path item that are operations; the others
// (summary, parameters, servers …) are not.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPIMatchesRoutes keeps the served OpenAPI document in step with
// the route table: the same set of method+path pairs on both sides, path
// parameters declared, public operations marked public, and the document
// served is the file in the repository.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := testenv.New(t)
	resp, body := e.Client(auth.Anonymous).Do("GET", "/api/v1/openapi.json", nil, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET openapi.json: %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	merged, err := web.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, merged) {
		t.Error("served document differs from the merged internal/web/openapi/*.json")
	}

	var doc openAPIDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q, want 3.x", doc.OpenAPI)
	}
	if doc.Info.Title == "" || doc.Info.Version == "" {
		t.Errorf("info needs title and version: %+v", doc.Info)
	}
	if len(doc.Paths) == 0 {
		t.Fatal("no paths")
	}

	documented := map[string]openAPIOperation{}
	for path, item := range doc.Paths {
		for key, raw := range item {
			if !slices.Contains(httpMethods, key) {
				continue
			}
			var op openAPIOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Errorf("%s %s: %v", key, path, err)
				continue
			}
			documented[strings.ToUpper(key)+" "+path] = op
		}
	}
	registered := map[string]apiRoute{}
	for _, rt := range routesOf(e) {
		registered[rt.Method+" "+rt.Pattern] = rt
	}

	for _, k := range sortedKeys(registered) {
		rt := registered[k]
		op, ok := documented[k]
		if !ok {
			t.Errorf("route %s is not documented in openapi.json", k)
			continue
		}
		if op.Summary == "" {
			t.Errorf("%s: no summary", k)
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s: no responses", k)
		}
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			declared := slices.ContainsFunc(op.Parameters, func(p struct {
				Name     string `json:"name"`
				In       string `json:"in"`
				Required bool   `json:"required"`
			}) bool {
				return p.Name == m[1] && p.In == "path" && p.Required
			})
			if !declared {
				t.Errorf("%s: path parameter %q is not declared (in: path, required)", k, m[1])
			}
		}
		// Operations the public may call say so with "security: []";
		// the rest inherit the document's cookie/bearer requirement.
		// Sign-in and sign-out (no action) are documented by hand.
		if rt.Action == "" {
			continue
		}
		public := auth.Can(auth.Anonymous, rt.Action)
		if marked := op.Security != nil && len(*op.Security) == 0; public != marked {
			t.Errorf("%s: public=%v by policy, but security: [] is %v in the document", k, public, marked)
		}
	}
	for _, k := range sortedKeys(documented) {
		if _, ok := registered[k]; !ok {
			t.Errorf("openapi.json documents %s, which is not a route", k)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
