package volunteering

import (
	"context"
	"encoding/json"
	"sync"
)

// Bus carries messages on topics across API instances (internal/cache.Bus, on Redis
// pub/sub). It delivers to this process's subscribers itself, also when Redis is down.
type Bus interface {
	Publish(ctx context.Context, topic string, payload []byte)
	Subscribe(ctx context.Context, topic string) <-chan []byte
}

// Broker delivers application changes to live subscribers: through Bus when it is set
// (every API instance), else in this process only.
type Broker struct {
	// Bus, when set, carries changes across instances.
	Bus Bus

	mu   sync.Mutex
	subs map[string]map[chan *Application]struct{} // by need id
}

// NewBroker returns an empty broker (in-process; set Bus for several instances).
func NewBroker() *Broker {
	return &Broker{subs: map[string]map[chan *Application]struct{}{}}
}

// ApplicationTopic is the bus topic of a need's application changes.
func ApplicationTopic(needID string) string { return "application:need:" + needID }

// PublishApplication implements Publisher. Slow subscribers miss updates rather than
// slow the writer down.
func (b *Broker) PublishApplication(ctx context.Context, a *Application) {
	if b.Bus != nil {
		if payload, err := json.Marshal(a); err == nil {
			b.Bus.Publish(ctx, ApplicationTopic(a.NeedID), payload)
		}
		return
	}
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
	if b.Bus != nil {
		in := b.Bus.Subscribe(ctx, ApplicationTopic(needID))
		go func() {
			defer close(ch)
			for payload := range in {
				var a Application
				if json.Unmarshal(payload, &a) != nil {
					continue
				}
				select {
				case ch <- &a:
				default:
				}
			}
		}()
		return ch
	}
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
