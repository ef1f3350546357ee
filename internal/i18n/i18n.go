// Package i18n chooses the user's language and translates messages.
//
// Languages: Dutch (default), French, English and Arabic. Messages live in locales/*.json
// and are rendered with go-i18n; a key missing in one language falls back to Dutch.
package i18n

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Supported languages, Dutch first: it is the fallback.
const (
	NL = "nl"
	FR = "fr"
	EN = "en"
	AR = "ar"
)

// Supported lists the interface languages, default first.
var Supported = []string{NL, FR, EN, AR}

var (
	//go:embed locales/*.json
	localeFS embed.FS

	bundle     *goi18n.Bundle
	localizers = map[string]*goi18n.Localizer{}
	matcher    = language.NewMatcher([]language.Tag{language.Dutch, language.French, language.English, language.Arabic})
)

func init() {
	bundle = goi18n.NewBundle(language.Dutch)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range Supported {
		if _, err := bundle.LoadMessageFileFS(localeFS, "locales/"+l+".json"); err != nil {
			panic(fmt.Sprintf("i18n: load %s: %v", l, err))
		}
		// The localizer falls back to Dutch for keys missing in l.
		localizers[l] = goi18n.NewLocalizer(bundle, l, NL)
	}
}

// IsSupported reports whether l is one of the interface languages.
func IsSupported(l string) bool {
	_, ok := localizers[l]
	return ok
}

// FromAcceptLanguage picks the best interface language for an Accept-Language header.
// ok is false when the header is empty or names no language we speak at all.
func FromAcceptLanguage(header string) (lang string, ok bool) {
	header = strings.TrimSpace(header)
	if header == "" {
		return NL, false
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return NL, false
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return NL, false
	}
	return Supported[idx], true
}

// T translates a message key into lang, filling the template with args.
// An unknown key is returned as is, so a missing translation is visible, never a crash.
func T(lang, key string, args map[string]any) string {
	loc, ok := localizers[lang]
	if !ok {
		loc = localizers[NL]
	}
	msg, err := loc.Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: args})
	if err != nil {
		return key
	}
	return msg
}

type ctxKey struct{}

// WithLanguage stores the request's language in ctx.
func WithLanguage(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, ctxKey{}, lang)
}

// FromContext returns the request's language, Dutch when none was set.
func FromContext(ctx context.Context) string {
	if l, ok := ctx.Value(ctxKey{}).(string); ok && l != "" {
		return l
	}
	return NL
}

// Pick returns the label for lang from a map of labels per language, falling back to Dutch,
// then to any label at all.
func Pick(labels map[string]string, lang string) string {
	if s := labels[lang]; s != "" {
		return s
	}
	if s := labels[NL]; s != "" {
		return s
	}
	for _, l := range Supported {
		if s := labels[l]; s != "" {
			return s
		}
	}
	return ""
}
