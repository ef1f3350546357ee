# Helpende Handen — the two commands a newcomer needs:
#   make run    start the platform with demo data on http://127.0.0.1:8080
#   make test   run every test
# Both install or start what they need (PostgreSQL, Redis, Node packages).

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)

BIN            := bin/helpende-handen
VERSION        := $(shell git describe --always --dirty 2>/dev/null || echo dev)
GO_FILES       := $(shell find cmd graph internal migrations -name '*.go' -o -name '*.sql' -o -name '*.json' -o -name '*.csv' 2>/dev/null)
NODE_DIRS      := scripts/graphql-http-audit web-client
TEST_TIMEOUT   ?= 20m

export TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
export TEST_REDIS_URL    ?= redis://127.0.0.1:6379/0

.PHONY: run test setup services node build migrate seed generate check-generated lint go-test clean help web web-test web-unit web-e2e chromium

help:
	@echo "make run    - start the platform with demo data on http://127.0.0.1:8080"
	@echo "make test   - run every test (Go unit and integration tests, GraphQL-over-HTTP audit)"
	@echo "make build | migrate | seed | generate | lint | clean"

## run: start PostgreSQL/Redis if needed, migrate, load demo data when empty, build the web client, serve
run: services build web
	@$(BIN) migrate up
	@$(BIN) seed
	@echo "Helpende Handen on http://127.0.0.1:8080 (GraphQL at /graphql, IDE at /graphiql). Ctrl-C stops it."
	@exec $(BIN) serve

## test: everything CI runs
test: services node lint check-generated go-test web-test

services:
	@bash scripts/ensure-services.sh

node:
	@bash scripts/ensure-node.sh $(NODE_DIRS)

setup: services node

build: $(BIN)

$(BIN): $(GO_FILES) go.mod go.sum
	@mkdir -p bin
	go build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/helpende-handen

migrate: services build
	$(BIN) migrate up

seed: migrate
	$(BIN) seed

## generate: regenerate gqlgen code after editing graph/*.graphqls
generate:
	go tool gqlgen generate

## check-generated: the committed gqlgen code matches the schema
check-generated:
	@go tool gqlgen generate
	@if ! git diff --quiet -- graph gqlgen.yml; then \
		echo "generated GraphQL code is out of date with the schema: run 'make generate' and commit"; \
		git diff --stat -- graph; exit 1; fi

lint:
	@out=$$(gofmt -l cmd graph internal migrations); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...

go-test:
	go test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

## web: build the web client into web-client/dist (codegen from graph/*.graphqls, type check, bundle, size report)
web: node
	@cd web-client && npm run --silent build

chromium:
	@bash scripts/ensure-chromium.sh

## web-test: the web client's unit tests (Vitest), then end-to-end tests in Debian's Chromium
## against the real server on a throwaway database (web-client/e2e/run.mjs)
web-test: web-unit web-e2e

web-unit: node
	@cd web-client && npm test --silent

web-e2e: services build web chromium
	@cd web-client && node e2e/run.mjs

clean:
	rm -rf bin web-client/dist
