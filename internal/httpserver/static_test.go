package httpserver

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStaticHandler(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "assets"), 0o755))
	index := "<!doctype html><title>app</title>" + strings.Repeat(" ", 600)
	must(os.WriteFile(filepath.Join(dir, "index.html"), []byte(index), 0o644))
	js := "console.log('hello');" + strings.Repeat("//padding\n", 100)
	must(os.WriteFile(filepath.Join(dir, "assets", "index-abc123.js"), []byte(js), 0o644))
	h := newStaticHandler(dir, nil)

	get := func(p, enc string) *http.Response {
		r := httptest.NewRequest(http.MethodGet, p, nil)
		if enc != "" {
			r.Header.Set("Accept-Encoding", enc)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result()
	}
	body := func(res *http.Response) string {
		var rd io.Reader = res.Body
		if res.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(res.Body)
			must(err)
			rd = zr
		}
		b, err := io.ReadAll(rd)
		must(err)
		return string(b)
	}

	res := get("/assets/index-abc123.js", "gzip, br")
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") || body(res) != js {
		t.Fatalf("asset: %d %v", res.StatusCode, res.Header)
	}
	res = get("/assets/index-abc123.js", "")
	if res.Header.Get("Content-Encoding") != "" || body(res) != js {
		t.Fatalf("asset without gzip: %v", res.Header)
	}
	for _, p := range []string{"/", "/needs/abc", "/me/shifts", "/index.html"} {
		res = get(p, "gzip")
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" || body(res) != index {
			t.Fatalf("%s: %d %v", p, res.StatusCode, res.Header)
		}
	}
	for _, p := range []string{"/assets/old-chunk.js", "/favicon.ico", "/graphql/x", "/calendar/", "/metricsx/../metrics"} {
		if res = get(p, ""); res.StatusCode != 404 {
			t.Fatalf("%s: want 404, got %d", p, res.StatusCode)
		}
	}
	if res = get("/../../etc/passwd", ""); res.StatusCode != 404 && body(res) != index {
		t.Fatalf("path traversal: %d", res.StatusCode)
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST /: %d", w.Code)
	}
}

func TestStaticHandlerWithoutBuild(t *testing.T) {
	h := newStaticHandler(filepath.Join(t.TempDir(), "missing"), nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "not built") {
		t.Fatalf("placeholder: %d %q", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/needs/1", nil))
	if w.Code != 404 {
		t.Fatalf("without build, other paths: %d", w.Code)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for enc, want := range map[string]bool{"gzip": true, "br, gzip;q=0.5": true, "gzip;q=0": false, "br": false, "": false, "GZIP": true} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", enc)
		if got := acceptsGzip(r); got != want {
			t.Errorf("%q: got %v", enc, got)
		}
	}
}
