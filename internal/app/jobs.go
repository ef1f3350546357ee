package app

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/rewards"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// RunJobs runs the platform's periodic work until ctx ends: keeping needs' next shift and
// places up to date as time passes, generating weekly shifts ahead, reminders the day
// before a shift, minting coins for confirmed hours, expiring vouchers and (by policy)
// coins with a notice beforehand, and monthly settlements with merchants. Every job is
// idempotent, so several instances may run them at once.
func (a *App) RunJobs(ctx context.Context) {
	jobs := []struct {
		name  string
		every time.Duration
		run   func(context.Context) (int, error)
	}{
		{"refresh passed needs", time.Minute, a.Volunteering.RefreshPassedNeeds},
		{"extend weekly needs", time.Hour, a.Volunteering.ExtendWeeklyNeeds},
		{"shift reminders", 10 * time.Minute, a.Volunteering.SendReminders},
		// Confirming attendance mints at once too; this catches what a crash or an error left.
		{"mint coins for confirmed hours", 30 * time.Second, a.Ledger.MintPending},
		{"expire vouchers", 15 * time.Minute, func(ctx context.Context) (int, error) {
			return a.Rewards.ExpireVouchers(ctx, time.Now())
		}},
		{"notice of expiring coins", 6 * time.Hour, func(ctx context.Context) (int, error) {
			return a.Rewards.NoticeExpiringCoins(ctx, time.Now())
		}},
		{"expire coins", 6 * time.Hour, func(ctx context.Context) (int, error) {
			res, err := a.Rewards.ExpireCoins(ctx, time.Now())
			return res.Wallets, err
		}},
		// Months that have ended are settled with each merchant (once per merchant and month).
		{"settle merchants", 6 * time.Hour, func(ctx context.Context) (int, error) {
			sts, err := a.Rewards.SettleAll(ctx, time.Now())
			return len(sts), err
		}},
	}
	for _, j := range jobs {
		go func() {
			t := time.NewTicker(j.every)
			defer t.Stop()
			for {
				n, err := j.run(ctx)
				switch {
				case err != nil && !errors.Is(err, context.Canceled):
					a.Log.Error("job failed", "job", j.name, "err", err)
				case n > 0:
					a.Log.Info("job done", "job", j.name, "count", n)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
}

// calendarHandler serves a volunteer's private iCal feed at /calendar/{token}.ics.
func calendarHandler(v *volunteering.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
		if !ok {
			http.NotFound(w, r)
			return
		}
		body, err := v.CalendarFeed(r.Context(), tok)
		if errors.Is(err, errs.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			log.ErrorContext(r.Context(), "calendar feed", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Cache-Control", "private, max-age=300")
		_, _ = w.Write(body)
	})
}

// voucherQRHandler serves a voucher code as a QR code image at /vouchers/{CODE}.png (?size=
// 64..1024 pixels). The image holds only the code, which the asker already has: nothing is
// looked up, so it reveals nothing about the voucher.
func voucherQRHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, ok := strings.CutSuffix(r.PathValue("file"), ".png")
		if !ok {
			http.NotFound(w, r)
			return
		}
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		if size == 0 {
			size = 384
		}
		png, err := rewards.QRCode(code, size)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "private, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(png)
	})
}
