package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// Do sends a request with the CSRF header set and returns the response
// with its body read.
func (c *Client) Do(method, path string, body io.Reader, contentType string) (*http.Response, []byte) {
	req, err := http.NewRequest(method, c.Base+path, body)
	if err != nil {
		panic(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// JSON sends in (if not nil) as JSON and decodes the answer into out (if
// not nil); it returns the status.
func (c *Client) JSON(method, path string, in, out any) int {
	var body io.Reader
	ct := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			panic(err)
		}
		body, ct = bytes.NewReader(b), "application/json"
	}
	resp, b := c.Do(method, path, body, ct)
	if out != nil && len(b) > 0 {
		json.Unmarshal(b, out)
	}
	return resp.StatusCode
}
