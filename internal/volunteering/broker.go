package volunteering

import (
	"context"
	"sync"
)

// Broker delivers application changes to live subscribers in this process.
// (Delivery across API instances goes through Redis pub/sub; see issue "Redis".)
type Broker struct {
	mu   sync.Mutex
	subs map[string]map[chan *Application]struct{} // by need id
}

// NewBroker returns an empty broker.
func NewBroker() *Broker {
	return &Broker{subs: map[string]map[chan *Application]struct{}{}}
}

// PublishApplication implements Publisher. Slow subscribers miss updates rather than
// slow the writer down.
func (b *Broker) PublishApplication(_ context.Context, a *Application) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cp := *a
	for ch := range b.subs[a.NeedID] {
		select {
		case ch <- &cp:
		default:
		}
	}
}

// Subscribe returns changes of the need's applications until ctx ends.
func (b *Broker) Subscribe(ctx context.Context, needID string) <-chan *Application {
	ch := make(chan *Application, 32)
	b.mu.Lock()
	if b.subs[needID] == nil {
		b.subs[needID] = map[chan *Application]struct{}{}
	}
	b.subs[needID][ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		delete(b.subs[needID], ch)
		if len(b.subs[needID]) == 0 {
			delete(b.subs, needID)
		}
		b.mu.Unlock()
		close(ch)
	}()
	return ch
}
