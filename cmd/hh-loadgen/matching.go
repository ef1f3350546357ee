package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/demo"
)

// Matching scenarios need signed-in people. They sign in the people that
// `helpende-handen seed --scale N --profiles P` generated, with the login mutation, like
// any client (the server makes the session and stores only the token's hash), and send
// the session token as a bearer token. Logins are mutations: the server's per-address
// limit (RATE_LIMIT_MUTATIONS, 120 a minute by default) counts them.

// setupTimeout bounds a scenario's preparation (logins, listing needs).
const setupTimeout = 2 * time.Minute

// Limits of the matching flags.
const (
	maxUsers  = 500
	maxPeople = demo.MaxScaleProfiles
)

var matching struct {
	users    int    // volunteers to sign in
	people   int    // generated volunteers in the database (ScalePersonEmail(1..people))
	password string // of the generated accounts
}

func matchingFlags(fs *flag.FlagSet) {
	fs.IntVar(&matching.users, "users", 100, fmt.Sprintf("recommended-needs: volunteers to sign in (1–%d), spread over -people", maxUsers))
	fs.IntVar(&matching.people, "people", 1000, "recommended-needs: generated volunteers in the database (seed --profiles)")
	fs.StringVar(&matching.password, "password", demo.Password, "password of the generated accounts")
}

const loginMutation = `mutation Login($input: LoginInput!) {
  login(input: $input) { session { token } userErrors { code message } }
}`

// login signs in one person and returns the session token.
func login(ctx context.Context, c *http.Client, endpoint, email string) (string, error) {
	var out struct {
		Login struct {
			Session *struct {
				Token string `json:"token"`
			} `json:"session"`
			UserErrors []struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"userErrors"`
		} `json:"login"`
	}
	err := do(ctx, c, endpoint, gqlRequest{Query: loginMutation, Variables: map[string]any{
		"input": map[string]any{"email": email, "password": matching.password}}}, &out)
	if err != nil {
		return "", fmt.Errorf("log in %s: %w (logins are mutations: see RATE_LIMIT_MUTATIONS)", email, err)
	}
	if out.Login.Session == nil {
		msg := "no session"
		if len(out.Login.UserErrors) > 0 {
			msg = out.Login.UserErrors[0].Code + ": " + out.Login.UserErrors[0].Message
		}
		return "", fmt.Errorf("log in %s: %s (were the people generated with seed --profiles?)", email, msg)
	}
	return out.Login.Session.Token, nil
}

// loginAll signs in the given people, four at a time; the tokens keep the order of
// emails. It stops at the first failure (failed logins are throttled by the server).
func loginAll(ctx context.Context, c *http.Client, endpoint string, emails []string) ([]string, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	tokens := make([]string, len(emails))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, e := range emails {
		sem <- struct{}{}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			tok, err := login(ctx, c, endpoint, e)
			if err != nil {
				cancel(err)
				return
			}
			tokens[i] = tok
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return tokens, nil
}

const recommendedNeedsQuery = `query RecommendedNeeds($first: Int) {
  recommendedNeeds(first: $first) {
    score
    reasons { code text }
    missing { code text }
    need { id title placesLeft nextShiftStartsAt district { name } organisation { name } }
  }
}`

// recommendedNeeds: a signed-in volunteer opens their recommendations (first 20). The
// volunteers are -users generated people spread evenly over the -people generated ones.
func recommendedNeeds(ctx context.Context, c *http.Client, endpoint string) (func(rng *rand.Rand) gqlRequest, error) {
	if matching.users < 1 || matching.users > maxUsers {
		return nil, fmt.Errorf("-users must be between 1 and %d", maxUsers)
	}
	if matching.people < 1 || matching.people > maxPeople {
		return nil, fmt.Errorf("-people must be between 1 and %d", maxPeople)
	}
	n := min(matching.users, matching.people)
	emails := make([]string, n)
	for i := range emails {
		emails[i] = demo.ScalePersonEmail(1 + i*matching.people/n)
	}
	tokens, err := loginAll(ctx, c, endpoint, emails)
	if err != nil {
		return nil, err
	}
	return func(rng *rand.Rand) gqlRequest {
		return gqlRequest{Query: recommendedNeedsQuery, Variables: map[string]any{"first": 20}, Token: tokens[rng.IntN(len(tokens))]}
	}, nil
}

const candidatesQuery = `query Candidates($needId: ID!, $first: Int) {
  candidatesForNeed(needId: $needId, first: $first) {
    score
    reasons { code text }
    missing { code text }
    profile { id displayName visibility talents { level talent { name } } languages { level language { name } } radiusKm }
  }
}`

// candidatesForNeed: the coordinator of a need's organisation (half the requests) or a
// matchmaker asks for candidates for one of the organisation's open needs (first 20).
// Every coordinator of the scale organisations and every generated matchmaker is signed
// in; each organisation's 100 soonest needs are used.
func candidatesForNeed(ctx context.Context, c *http.Client, endpoint string) (func(rng *rand.Rand) gqlRequest, error) {
	var districts struct {
		Districts []struct {
			Key string `json:"key"`
		} `json:"districts"`
	}
	if err := do(ctx, c, endpoint, gqlRequest{Query: `{ districts { key } }`}, &districts); err != nil {
		return nil, fmt.Errorf("load districts: %w", err)
	}
	var emails []string
	for _, d := range districts.Districts {
		for i := 1; i <= 6; i++ {
			emails = append(emails, demo.ScaleCoordinatorEmail(d.Key, i))
		}
	}
	coordinators := len(emails)
	for i := 1; i <= demo.ScaleMatchmakers; i++ {
		emails = append(emails, demo.ScaleMatchmakerEmail(i))
	}
	tokens, err := loginAll(ctx, c, endpoint, emails)
	if err != nil {
		return nil, err
	}
	type coordinator struct {
		token string
		needs []string
	}
	var coords []coordinator
	var all []string
	for _, tok := range tokens[:coordinators] {
		var me struct {
			Me struct {
				Memberships []struct {
					Organisation struct {
						ID string `json:"id"`
					} `json:"organisation"`
				} `json:"memberships"`
			} `json:"me"`
		}
		if err := do(ctx, c, endpoint, gqlRequest{Query: `{ me { memberships { organisation { id } } } }`, Token: tok}, &me); err != nil {
			return nil, fmt.Errorf("memberships: %w", err)
		}
		co := coordinator{token: tok}
		for _, m := range me.Me.Memberships {
			var out struct {
				Needs struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			if err := do(ctx, c, endpoint, gqlRequest{Query: `query($org: ID) { needs(first: 100, orderBy: SOONEST,
				filter: {organisationId: $org}) { edges { node { id } } } }`, Variables: map[string]any{"org": m.Organisation.ID}}, &out); err != nil {
				return nil, fmt.Errorf("needs of %s: %w", m.Organisation.ID, err)
			}
			for _, e := range out.Needs.Edges {
				co.needs = append(co.needs, e.Node.ID)
			}
		}
		if len(co.needs) > 0 {
			coords = append(coords, co)
			all = append(all, co.needs...)
		}
	}
	if len(coords) == 0 {
		return nil, errors.New("no coordinator with open needs (run seed --scale N --profiles P)")
	}
	matchmakers := tokens[coordinators:]
	return func(rng *rand.Rand) gqlRequest {
		if rng.IntN(2) == 0 {
			co := coords[rng.IntN(len(coords))]
			return gqlRequest{Query: candidatesQuery, Token: co.token,
				Variables: map[string]any{"needId": co.needs[rng.IntN(len(co.needs))], "first": 20}}
		}
		return gqlRequest{Query: candidatesQuery, Token: matchmakers[rng.IntN(len(matchmakers))],
			Variables: map[string]any{"needId": all[rng.IntN(len(all))], "first": 20}}
	}, nil
}
