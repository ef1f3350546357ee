package graph_test

import (
	"testing"
)

const needsSearchQuery = `query($f: NeedFilter, $first: Int, $after: String, $order: NeedOrder) {
	needs(filter: $f, first: $first, after: $after, orderBy: $order) {
		totalCount edges { cursor node { id title placesLeft } } pageInfo { hasNextPage endCursor } } }`

type needsResult struct {
	Needs struct {
		TotalCount int
		Edges      []struct {
			Cursor string
			Node   struct {
				ID, Title  string
				PlacesLeft *int
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

func TestNeedsSearchThroughGraphQLFollowsPlacesTaken(t *testing.T) {
	t.Parallel()
	p, _, coord, orgID := volSetup(t)
	needID, shiftID := volPublishedNeed(t, coord, orgID, "Soep koken in de buurt", 1, true)
	volPublishedNeed(t, coord, orgID, "Huiswerkbegeleiding voor kinderen", 2, true)
	anon := p.Client()

	var r needsResult
	anon.MustData(t, needsSearchQuery, map[string]any{"f": map[string]any{"text": "koken", "hasPlacesLeft": true}}, &r)
	if r.Needs.TotalCount != 1 || r.Needs.Edges[0].Node.ID != needID {
		t.Fatalf("search koken = %+v, want the soup need", r.Needs)
	}
	// Taking the last place is reflected at once in "has places left".
	vol := p.Register(t, "vera@example.org", "Vera")
	if res := volApply(t, vol, needID, shiftID, ""); res.Application == nil || res.Application.Status != "ACCEPTED" {
		t.Fatalf("apply: %+v", res)
	}
	r = needsResult{}
	anon.MustData(t, needsSearchQuery, map[string]any{"f": map[string]any{"text": "koken", "hasPlacesLeft": true}}, &r)
	if r.Needs.TotalCount != 0 {
		t.Errorf("after the last place was taken, search with hasPlacesLeft = %+v, want nothing", r.Needs)
	}
	// A typo still finds the other need.
	r = needsResult{}
	anon.MustData(t, needsSearchQuery, map[string]any{"f": map[string]any{"text": "huiswerkbegleiding"}}, &r)
	if r.Needs.TotalCount != 1 {
		t.Errorf("typo search = %+v, want the homework need", r.Needs)
	}
}

func TestNeedsSearchRefusesACursorOfAnotherOrderAsBadInput(t *testing.T) {
	t.Parallel()
	p, _, coord, orgID := volSetup(t)
	volPublishedNeed(t, coord, orgID, "Soep koken", 3, true)
	volPublishedNeed(t, coord, orgID, "Soep serveren", 3, true)
	anon := p.Client()
	var r needsResult
	anon.MustData(t, needsSearchQuery, map[string]any{"first": 1, "order": "NEWEST"}, &r)
	if r.Needs.PageInfo.EndCursor == nil || !r.Needs.PageInfo.HasNextPage {
		t.Fatalf("first page = %+v", r.Needs)
	}
	resp := anon.Do(t, needsSearchQuery, map[string]any{"first": 1, "order": "SOONEST", "after": *r.Needs.PageInfo.EndCursor})
	if resp.ErrorCode() != "BAD_USER_INPUT" {
		t.Errorf("cursor of another order: %+v, want BAD_USER_INPUT", resp.Errors)
	}
}
