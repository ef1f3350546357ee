// Package live delivers live updates (GraphQL subscriptions) by topic within one process.
// Delivery across API instances wraps it with Redis pub/sub (see internal/cache).
package live

import (
	"context"
	"sync"
)

// Hub is an in-process topic broker. Slow subscribers miss messages rather than slow
// publishers down: live updates say "look again", they are not the record.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[chan []byte]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[string]map[chan []byte]struct{}{}} }

// Publish sends payload to every subscriber of topic in this process.
func (h *Hub) Publish(_ context.Context, topic string, payload []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[topic] {
		select {
		case ch <- payload:
		default:
		}
	}
}

// Subscribe returns the messages of topic until ctx ends (then the channel is closed).
func (h *Hub) Subscribe(ctx context.Context, topic string) <-chan []byte {
	ch := make(chan []byte, 16)
	h.mu.Lock()
	if h.subs[topic] == nil {
		h.subs[topic] = map[chan []byte]struct{}{}
	}
	h.subs[topic][ch] = struct{}{}
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.subs[topic], ch)
		if len(h.subs[topic]) == 0 {
			delete(h.subs, topic)
		}
		h.mu.Unlock()
		close(ch)
	}()
	return ch
}

// Subscribers is how many subscriptions topic has in this process.
func (h *Hub) Subscribers(topic string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[topic])
}
