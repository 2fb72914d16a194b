package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// apiClient calls a registry's HTTP API.
type apiClient struct {
	base string
	http *http.Client
}

// requestTimeout bounds one API request: more than an administrative start waits for a server
// to become Active (its activation timeout, IceGrid.Node.WaitTime, 60 s by default).
const requestTimeout = 2 * time.Minute

func newAPIClient(base string) *apiClient {
	return &apiClient{base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: requestTimeout}}
}

func (c *apiClient) get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, nil, out)
}

// send sends an XML descriptor.
func (c *apiClient) send(ctx context.Context, method, path string, xmlBody []byte) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(xmlBody))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/xml")
	return c.roundTrip(req, method, path, nil)
}

// do sends body as JSON (when not nil) and decodes a JSON answer into out (when not nil). An
// error status becomes an error carrying the API's message.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.roundTrip(req, method, path, out)
}

func (c *apiClient) roundTrip(req *http.Request, method, path string, out any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("registry %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error     string `json:"error"`
			Exception string `json:"exception"` // the Ice exception IceGrid raises, as icegridadmin prints it
		}
		switch {
		case json.Unmarshal(data, &e) != nil || e.Error == "":
		case e.Exception != "":
			return fmt.Errorf("%s:\n%s", e.Exception, e.Error)
		default:
			return fmt.Errorf("%s", e.Error)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}
