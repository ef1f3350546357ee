package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

// maxGraphQLWallets bounds the residents the GraphQL mode registers (each costs an argon2id hash).
const maxGraphQLWallets = 2000

const (
	giftMutation = `mutation Gift($in: TransferCoinsInput!) { transferCoins(input: $in) { wallet { balance } userErrors { code message } } }`
	fundMutation = `mutation Fund($in: FundIssuerInput!) { fundIssuer(input: $in) { issuer { balance } userErrors { code message } } }`
)

// runGraphQL drives coin transfers through the GraphQL endpoint of a running server (on the
// same database): transferCoins between residents, or, with -hot, fundIssuer of 1 coin at a
// time into the city's one issuer account. Set-up goes through the packages: residents are
// registered with internal/accounts (sessions included), their coins minted with the ledger.
// The server must run without the per-person mutation limit (RATE_LIMIT_MUTATIONS=0).
func runGraphQL(ctx context.Context, c config, db *sqlx.DB, svc *ledger.Service, out io.Writer) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc := accounts.NewService(db, nil, 24*time.Hour, log)
	runID := uuid.NewString()[:8]
	setupStart := time.Now()

	// Residents (and one administrator), registered two at a time (argon2id is the cost).
	n := c.wallets
	emails := make([]string, n+1)
	tokens := make([]string, n+1)
	ids := make([]string, n+1)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i := range emails {
		emails[i] = fmt.Sprintf("bench-%s-%d@example.org", runID, i)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			p, sess, err := acc.Register(ctx, accounts.RegisterInput{Email: emails[i], Password: "Bench-ledger-" + runID + "-pw",
				DisplayName: fmt.Sprintf("Bench %d", i), PreferredLanguage: "en"}, accounts.ClientMeta{IP: "127.0.0.1"})
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("register: %w", err)
			}
			if err == nil {
				ids[i], tokens[i] = p.ID, sess.Token
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	adminToken := tokens[n]
	if _, err := db.ExecContext(ctx, `UPDATE people SET is_admin = true WHERE id = $1`, ids[n]); err != nil {
		return err
	}
	// Gifts allowed (the rest of the policy as it is).
	policy, err := svc.Policy(ctx)
	if err != nil {
		return err
	}
	if _, err := svc.SetPolicy(ctx, ids[n], ledger.PolicyInput{CoinsPerHour: policy.CoinsPerHour, YearlyCapPerPerson: policy.YearlyCapPerPerson,
		GiftsAllowed: true, ExpiryMonths: policy.ExpiryMonths, MerchantCap: policy.MerchantCap,
		EuroCentsPer10Coins: policy.EuroCentsPer10Coins, IssuerAccountID: policy.IssuerAccountID}); err != nil {
		return fmt.Errorf("allow gifts: %w", err)
	}
	// walletStart coins for every resident, from the city's budget.
	issuer, err := svc.CityIssuer(ctx)
	if err != nil {
		return err
	}
	if _, err := svc.FundIssuer(ctx, ledger.FundRequest{IssuerAccountID: issuer.ID, Amount: int64(n) * walletStart,
		IdempotencyKey: "bench:" + runID + ":fund", Memo: "hh-ledgerbench"}); err != nil {
		return err
	}
	wallets, err := svc.Accounts(ctx, ledger.KindWallet, ids[:n])
	if err != nil {
		return err
	}
	for i := 0; i < n; i += ledger.MaxPostings - 1 {
		part := wallets[i:min(i+ledger.MaxPostings-1, n)]
		postings := []ledger.Posting{{AccountID: issuer.ID, Amount: -int64(len(part)) * walletStart}}
		for _, w := range part {
			postings = append(postings, ledger.Posting{AccountID: w.ID, Amount: walletStart})
		}
		if _, err := svc.Post(ctx, ledger.PostRequest{IdempotencyKey: fmt.Sprintf("bench:%s:seed:%d", runID, i),
			Kind: ledger.TxMint, Postings: postings, Memo: "hh-ledgerbench"}); err != nil {
			return err
		}
	}
	workload := fmt.Sprintf("transferCoins of 1..10 coins between %d residents", n)
	if c.hot {
		workload = "fundIssuer of 1 coin into the city's ONE issuer account (administrator)"
	}
	fmt.Fprintf(out, "set-up: %d residents registered, %d coins each, in %s\n", n, walletStart, time.Since(setupStart).Round(time.Millisecond))
	fmt.Fprintf(out, "workload (GraphQL at %s): %s; %d clients; warm-up %s; measured %s\n", c.graphql, workload, c.clients,
		c.warmup, c.duration)

	httpc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.clients,
		MaxConnsPerHost: c.clients}}
	start := time.Now()
	measureFrom := start.Add(c.warmup)
	end := measureFrom.Add(c.duration)
	clients := make([]*client, c.clients)
	for i := range clients {
		cl := &client{latencies: make([]time.Duration, 0, 1<<12)}
		clients[i] = cl
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
			for k := 0; ; k++ {
				t0 := time.Now()
				if t0.After(end) || ctx.Err() != nil {
					return
				}
				key := fmt.Sprintf("bench:%s:%d:%d", runID, i, k)
				var token, query string
				var vars map[string]any
				if c.hot {
					token, query = adminToken, fundMutation
					vars = map[string]any{"in": map[string]any{"amount": 1, "idempotencyKey": key}}
				} else {
					a := r.IntN(n)
					b := r.IntN(n - 1)
					if b >= a {
						b++
					}
					token, query = tokens[a], giftMutation
					vars = map[string]any{"in": map[string]any{"toEmail": emails[b], "amount": 1 + r.IntN(10), "idempotencyKey": key}}
				}
				refused, err := post(ctx, httpc, c.graphql, token, query, vars)
				t1 := time.Now()
				if t0.Before(measureFrom) {
					continue
				}
				if cl.record(ctx, refused, err, t1.Sub(t0)) {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := min(time.Since(measureFrom), c.duration+time.Since(end))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	failed := summary(out, clients, elapsed)
	report, err := svc.Audit(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "audit: %d accounts, %d transactions, %d postings, sum of postings %d, %d problems\n",
		report.Accounts, report.Transactions, report.Postings, report.SumOfPostings, len(report.Problems()))
	if !report.OK() {
		return errors.New("the audit found invariant violations")
	}
	if failed > 0 {
		return fmt.Errorf("%d requests failed", failed)
	}
	return nil
}

// post sends one mutation; refused is true when it answered with user errors.
func post(ctx context.Context, c *http.Client, endpoint, token, query string, vars map[string]any) (refused bool, err error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var out struct {
		Data map[string]struct {
			UserErrors []struct{ Code, Message string }
		}
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return false, fmt.Errorf("status %d: %w", resp.StatusCode, err)
	}
	if len(out.Errors) > 0 {
		return false, fmt.Errorf("status %d: %s", resp.StatusCode, out.Errors[0].Message)
	}
	for _, p := range out.Data {
		if len(p.UserErrors) > 0 {
			return true, nil
		}
	}
	return false, nil
}
