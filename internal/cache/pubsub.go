package cache

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Bus delivers messages on topics to subscribers on every API instance, through Redis
// pub/sub. Subscribers in this process always get a message directly (also when Redis is
// down); other instances get it through Redis, which echoes it here too, so every message
// carries its sender's instance id and echoes of our own are dropped. Delivery is at most
// once: a slow subscriber misses messages rather than slowing the publisher down, and a
// message published while Redis is unreachable only reaches this instance.
//
// Topics are free-form strings, e.g. "application:need:<id>" or "wallet:person:<id>".
type Bus struct {
	c       *Client
	id      string
	pattern string

	mu   sync.Mutex
	subs map[string]map[chan []byte]struct{}
	ps   *redis.PubSub

	closeOnce sync.Once
	closeErr  error
}

// NewBus returns a bus on c (nil: this process only) and starts listening.
func NewBus(c *Client) *Bus {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	bus := &Bus{c: c, id: hex.EncodeToString(b), subs: map[string]map[chan []byte]struct{}{}}
	if c != nil {
		bus.pattern = c.Key("ps", "*")
		bus.ps = c.PSubscribe(context.Background(), bus.pattern)
		// Wait briefly for the confirmation, so that a subscriber made right after sees
		// messages from other instances (go-redis resubscribes after reconnects).
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		_, _ = bus.ps.Receive(ctx)
		cancel()
		go bus.listen(bus.ps.Channel(redis.WithChannelSize(256)))
		c.onClose(bus.Close)
	}
	return bus
}

func (b *Bus) channel(topic string) string { return b.c.Key("ps", topic) }

func (b *Bus) listen(ch <-chan *redis.Message) {
	prefix := b.c.Key("ps", "")
	for m := range ch {
		from, payload, ok := bytes.Cut([]byte(m.Payload), []byte{'|'})
		if !ok || string(from) == b.id {
			continue
		}
		b.deliver(strings.TrimPrefix(m.Channel, prefix), payload)
	}
}

func (b *Bus) deliver(topic string, payload []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[topic] {
		select {
		case ch <- payload:
		default:
		}
	}
}

// Publish sends payload to the topic's subscribers here and on every other instance.
func (b *Bus) Publish(ctx context.Context, topic string, payload []byte) {
	b.deliver(topic, payload)
	if b.c == nil || !b.c.Available() {
		return
	}
	msg := make([]byte, 0, len(b.id)+1+len(payload))
	msg = append(append(append(msg, b.id...), '|'), payload...)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 300*time.Millisecond)
	defer cancel()
	_ = b.c.Publish(ctx, b.channel(topic), msg).Err()
}

// Subscribe returns the topic's messages until ctx ends (then the channel is closed).
func (b *Bus) Subscribe(ctx context.Context, topic string) <-chan []byte {
	ch := make(chan []byte, 32)
	b.mu.Lock()
	if b.subs[topic] == nil {
		b.subs[topic] = map[chan []byte]struct{}{}
	}
	b.subs[topic][ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		delete(b.subs[topic], ch)
		if len(b.subs[topic]) == 0 {
			delete(b.subs, topic)
		}
		close(ch)
		b.mu.Unlock()
	}()
	return ch
}

// Close stops listening to Redis.
func (b *Bus) Close() error {
	if b.ps != nil {
		b.closeOnce.Do(func() { b.closeErr = b.ps.Close() })
		return b.closeErr
	}
	return nil
}
