package httpserver

import (
	"bytes"
	"compress/gzip"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The web client (web-client/, built into cfg.WebDir):
//
//   - files under /assets/ have a content hash in their name: cached for a year, immutable;
//   - index.html (and any unknown path that is not an API path, so client-side routes work
//     on reload) is never cached, so a new build is picked up at once;
//   - text files are sent gzip-compressed when the browser accepts it (compressed once,
//     kept in memory);
//   - without a build the server still starts and answers / with a short page saying so.

// apiPrefixes never fall back to the web client's index.html: a wrong API URL gets a 404.
var apiPrefixes = []string{"/graphql", "/graphiql", "/calendar/", "/healthz", "/readyz", "/metrics"}

func (s *Server) webClient() http.Handler {
	return newStaticHandler(s.cfg.WebDir, s.log)
}

type staticHandler struct {
	dir string
	log *slog.Logger
	mu  sync.Mutex
	gz  map[string]gzEntry // by file path
}

type gzEntry struct {
	mod  time.Time
	size int64
	data []byte
}

func newStaticHandler(dir string, log *slog.Logger) http.Handler {
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		if log != nil {
			log.Info("web client not built: serving a placeholder at /", "web_dir", dir)
		}
		return http.HandlerFunc(servePlaceholder)
	}
	return &staticHandler{dir: dir, log: log, gz: map[string]gzEntry{}}
}

func servePlaceholder(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(placeholderPage)
}

var placeholderPage = []byte(`<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Helpende Handen</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Helpende Handen</h1>
<p>Vrijwilligerswerk, talenten en buurtmuntjes in Antwerpen.</p>
<p>The web client is not built yet (run <code>make run</code>, or <code>npm run build</code> in web-client/).
The API is at <a href="/graphql">/graphql</a>; in development there is a GraphQL IDE at <a href="/graphiql">/graphiql</a>.</p>
</body></html>
`)

func isAPIPath(p string) bool {
	for _, pre := range apiPrefixes {
		if p == strings.TrimSuffix(pre, "/") || strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

func (h *staticHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	clean := path.Clean("/" + r.URL.Path)
	if isAPIPath(clean) {
		http.NotFound(w, r)
		return
	}
	file := filepath.Join(h.dir, filepath.FromSlash(clean))
	st, err := os.Stat(file)
	switch {
	case err == nil && !st.IsDir() && clean != "/index.html":
		if strings.HasPrefix(clean, "/assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		h.serveFile(w, r, file, st)
	case clean != "/index.html" && (strings.HasPrefix(clean, "/assets/") || path.Ext(clean) != ""):
		// A missing asset (an old build's chunk, a typo) is a 404, not the app's HTML.
		w.Header().Set("Cache-Control", "no-cache")
		http.NotFound(w, r)
	default:
		// "/" and client-side routes ("/needs/…", "/me/shifts"): the app itself.
		index := filepath.Join(h.dir, "index.html")
		ist, err := os.Stat(index)
		if err != nil {
			servePlaceholder(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		h.serveFile(w, r, index, ist)
	}
}

var compressible = map[string]bool{".html": true, ".js": true, ".css": true, ".json": true, ".svg": true, ".txt": true, ".map": true, ".webmanifest": true}

func (h *staticHandler) serveFile(w http.ResponseWriter, r *http.Request, file string, st os.FileInfo) {
	ext := strings.ToLower(filepath.Ext(file))
	if ct := mime.TypeByExtension(ext); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Add("Vary", "Accept-Encoding")
	if compressible[ext] && st.Size() > 512 && st.Size() < 8<<20 && acceptsGzip(r) {
		if data, ok := h.gzipped(file, st); ok {
			w.Header().Set("Content-Encoding", "gzip")
			http.ServeContent(w, r, "", st.ModTime(), bytes.NewReader(data))
			return
		}
	}
	f, err := os.Open(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	http.ServeContent(w, r, "", st.ModTime(), f)
}

func (h *staticHandler) gzipped(file string, st os.FileInfo) ([]byte, bool) {
	h.mu.Lock()
	e, ok := h.gz[file]
	h.mu.Unlock()
	if ok && e.mod.Equal(st.ModTime()) && e.size == st.Size() {
		return e.data, true
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, false
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(raw)
	if zw.Close() != nil {
		return nil, false
	}
	h.mu.Lock()
	h.gz[file] = gzEntry{mod: st.ModTime(), size: st.Size(), data: buf.Bytes()}
	h.mu.Unlock()
	return buf.Bytes(), true
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			q = strings.ReplaceAll(strings.TrimSpace(q), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
