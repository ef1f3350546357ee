package graph_test

import (
	"testing"
)

// A coordinator sees how each applicant fits the need, with reasons, when the applicant's
// talent profile is open to organisations; nobody else sees it, and private profiles are
// never explained.
func TestApplicantsShowTheirMatchToTheOrganisationOnly(t *testing.T) {
	t.Parallel()
	p, _, coord, orgID := volSetup(t)
	coord.Language = "en"
	needID, shiftID := volPublishedNeed(t, coord, orgID, "Soup bar", 5, true)
	open := p.Register(t, "open@example.org", "Olga Open")
	private := p.Register(t, "private@example.org", "Pia Private")
	talUpdate(t, open, map[string]any{"talents": []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 3}}})
	talSetVisibility(t, open, "ORGANISATIONS")
	talUpdate(t, private, map[string]any{"talents": []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 3}}})
	talSetVisibility(t, private, "PRIVATE")
	if a := volApply(t, open, needID, shiftID, ""); a.Application == nil {
		t.Fatalf("apply: %+v", a.UserErrors)
	}
	if a := volApply(t, private, needID, shiftID, ""); a.Application == nil {
		t.Fatalf("apply: %+v", a.UserErrors)
	}
	const q = `query($id: ID!) { need(id: $id) { applications { edges { node { person { displayName }
		match { score reasons { code text } missing { code } } } } } } }`
	var out struct {
		Need struct {
			Applications struct {
				Edges []struct {
					Node struct {
						Person struct{ DisplayName string }
						Match  *struct {
							Score   float64
							Reasons []struct{ Code, Text string }
						}
					}
				}
			}
		}
	}
	coord.MustData(t, q, map[string]any{"id": needID}, &out)
	seen := 0
	for _, e := range out.Need.Applications.Edges {
		switch e.Node.Person.DisplayName {
		case "Olga Open":
			seen++
			if e.Node.Match == nil || e.Node.Match.Score <= 0 || e.Node.Match.Score > 1 || len(e.Node.Match.Reasons) == 0 ||
				e.Node.Match.Reasons[0].Text == "" {
				t.Errorf("open profile's match: %+v", e.Node.Match)
			}
		case "Pia Private":
			seen++
			if e.Node.Match != nil {
				t.Errorf("a private profile is explained to the organisation: %+v", e.Node.Match)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("applications: %+v", out)
	}
	// The applicant sees her own application, without the organisation's explanation.
	var own struct {
		MyApplications struct {
			Edges []struct {
				Node struct{ Match *struct{ Score float64 } }
			}
		}
	}
	open.MustData(t, `{ myApplications { edges { node { match { score } } } } }`, nil, &own)
	if len(own.MyApplications.Edges) != 1 || own.MyApplications.Edges[0].Node.Match != nil {
		t.Fatalf("the applicant sees %+v", own)
	}
}
