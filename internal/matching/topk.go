package matching

import "sort"

type scored struct {
	idx   int
	score float64
	id    string
}

// better orders by score (high first), then ID, then input position, so the
// ranking is deterministic.
func better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.id != b.id {
		return a.id < b.id
	}
	return a.idx < b.idx
}

// topK keeps the k best offers in a heap whose root is the worst kept one;
// k <= 0 keeps everything.
type topK struct {
	k     int
	items []scored
}

func newTopK(k int) *topK {
	t := &topK{k: k}
	if k > 0 {
		t.items = make([]scored, 0, k)
	}
	return t
}

func (t *topK) offer(s scored) {
	if t.k <= 0 || len(t.items) < t.k {
		t.items = append(t.items, s)
		if t.k > 0 {
			t.up(len(t.items) - 1)
		}
		return
	}
	if !better(s, t.items[0]) {
		return
	}
	t.items[0] = s
	t.down(0)
}

// heap with the worst at the root: parent is worse than its children.
func (t *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !better(t.items[p], t.items[i]) {
			break
		}
		t.items[p], t.items[i] = t.items[i], t.items[p]
		i = p
	}
}

func (t *topK) down(i int) {
	n := len(t.items)
	for {
		l, r, w := 2*i+1, 2*i+2, i
		if l < n && better(t.items[w], t.items[l]) {
			w = l
		}
		if r < n && better(t.items[w], t.items[r]) {
			w = r
		}
		if w == i {
			return
		}
		t.items[i], t.items[w] = t.items[w], t.items[i]
		i = w
	}
}

func (t *topK) sorted() []scored {
	sort.Slice(t.items, func(i, j int) bool { return better(t.items[i], t.items[j]) })
	return t.items
}
