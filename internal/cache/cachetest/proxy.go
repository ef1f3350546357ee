// Package cachetest helps tests put Redis in trouble: a TCP proxy in front of it that can
// forward, refuse connections (Redis stopped) or accept and never answer (Redis hung).
package cachetest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Mode is what the proxy does with connections.
type Mode int

const (
	// Forward passes connections through to Redis.
	Forward Mode = iota
	// Refuse closes connections at once (and cuts the open ones), like a stopped Redis.
	Refuse
	// Hang accepts connections and never answers (and stalls the open ones).
	Hang
)

// Proxy is a TCP proxy to a Redis server.
type Proxy struct {
	Addr   string
	target string
	ln     net.Listener

	mu    sync.Mutex
	mode  Mode
	conns map[net.Conn]struct{}
}

// NewProxy starts a proxy to target (host:port) on a loopback port; it stops with the test.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	return p
}

// Set changes the mode; connections open so far are cut (or stall, for Hang).
func (p *Proxy) Set(m Mode) {
	p.mu.Lock()
	p.mode = m
	p.mu.Unlock()
	if m != Forward {
		p.cut()
	}
}

func (p *Proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

func (p *Proxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns[c] = struct{}{}
	p.mu.Unlock()
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		p.mu.Unlock()
		switch mode {
		case Refuse:
			_ = c.Close()
		case Hang:
			p.track(c) // hold it open, read nothing, answer nothing
		case Forward:
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.track(c)
			p.track(up)
			go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
			go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
		}
	}
}

// DeadAddr returns a loopback address where nothing listens.
func DeadAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// Blackhole returns the address of a listener that accepts connections and never answers.
func Blackhole(t testing.TB) string {
	t.Helper()
	p := NewProxy(t, "127.0.0.1:1")
	p.Set(Hang)
	return p.Addr
}
