package matching

import (
	"testing"
)

// The API asks for recommendedNeeds(first: 20) and candidatesForNeed(first: 20)
// under 50 ms at p95 on 100,000 needs and 200,000 profiles; the caller
// prefilters in SQL to a few hundred rows, so scoring 1,000 is the budget
// measured here.

func benchCity(b testing.TB, needs, people int) ([]Need, []Person) {
	b.Helper()
	return newCityGen(99, cityNow).city(needs, people)
}

func BenchmarkRecommend1000Needs(b *testing.B) {
	needs, people := benchCity(b, 1000, 64)
	o := DefaultOptions(cityNow)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		RecommendNeeds(people[i%len(people)], needs, o)
	}
}

func BenchmarkCandidates1000People(b *testing.B) {
	needs, people := benchCity(b, 64, 1000)
	o := DefaultOptions(cityNow)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Candidates(needs[i%len(needs)], people, o)
	}
}

// BenchmarkRecommend100000Needs scores every need with no SQL prefilter at all.
func BenchmarkRecommend100000Needs(b *testing.B) {
	needs, people := benchCity(b, 100000, 16)
	o := DefaultOptions(cityNow)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		RecommendNeeds(people[i%len(people)], needs, o)
	}
}

func BenchmarkScoreExplained(b *testing.B) {
	needs, people := benchCity(b, 64, 64)
	o := DefaultOptions(cityNow)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Score(people[i%64], needs[(i/64)%64], o)
	}
}
