package httpserver_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// TestGraphQLOverHTTPAudit runs the official audit suite of the graphql-http package
// (serverAudits) against the running server: every MUST audit has to pass.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	t.Parallel()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "graphql-http-audit")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-http")); err != nil {
		if os.Getenv("HH_SKIP_NODE_TESTS") == "1" {
			t.Skip("HH_SKIP_NODE_TESTS=1")
		}
		t.Fatalf("the audit needs its npm packages: run `make test` (or scripts/ensure-node.sh %s)", dir)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed for this test: %v", err)
	}
	p := testutil.NewPlatform(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "audit.mjs"), p.URL)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Log(out.String())
	if err != nil {
		t.Fatalf("graphql-http audit failed: %v", err)
	}
	if !strings.Contains(out.String(), " 0 failed") {
		t.Fatalf("audit summary does not report 0 failed MUST audits")
	}
}
