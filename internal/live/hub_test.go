package live

import (
	"context"
	"testing"
)

func TestHubDeliversToEverySubscriberOfTheTopicOnly(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	a1, a2 := h.Subscribe(ctx, "a"), h.Subscribe(ctx, "a")
	b := h.Subscribe(ctx, "b")
	h.Publish(ctx, "a", []byte("x"))
	for _, ch := range []<-chan []byte{a1, a2} {
		if got := string(<-ch); got != "x" {
			t.Fatalf("got %q", got)
		}
	}
	select {
	case m := <-b:
		t.Fatalf("topic b got %q", m)
	default:
	}
	cancel()
	for range a1 { // closed once the context ends
	}
	for range b {
	}
}

func TestHubNeverBlocksThePublisherOnASlowSubscriber(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := h.Subscribe(ctx, "t")
	for i := 0; i < 1000; i++ {
		h.Publish(ctx, "t", []byte{byte(i)})
	}
	if len(ch) != cap(ch) {
		t.Fatalf("buffered %d of %d", len(ch), cap(ch))
	}
}
