package tgtest

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"
)

// webhookState delivers pending updates to the URL set with setWebhook,
// as Telegram does: a POST with the update as JSON and the secret in
// X-Telegram-Bot-Api-Secret-Token, repeated until the bot answers 2xx.
type webhookState struct {
	url    string
	secret string
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// deliveries counts POSTs per update ID; failures counts non-2xx
	// answers and network errors.
	deliveries map[int64]int
	failures   int
}

// maxWebhookConnections is how many deliveries run at once (Telegram's
// default max_connections is 40).
const maxWebhookConnections = 40

func (s *Server) startWebhookLocked(url, secret string) {
	s.stopWebhookLocked()
	ctx, cancel := context.WithCancel(context.Background())
	s.webhook.url, s.webhook.secret, s.webhook.cancel = url, secret, cancel
	if s.webhook.deliveries == nil {
		s.webhook.deliveries = map[int64]int{}
	}
	s.webhook.wg.Add(1)
	go s.deliverLoop(ctx, url, secret)
}

func (s *Server) stopWebhookLocked() {
	if s.webhook.cancel != nil {
		s.webhook.cancel()
		s.webhook.cancel = nil
	}
	s.webhook.url = ""
	for i := range s.pending {
		s.pending[i].inFlight = false
	}
}

// WebhookDeliveries returns how many times each update was POSTed to the
// webhook, and how many POSTs failed.
func (s *Server) WebhookDeliveries() (map[int64]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int64]int{}
	for k, v := range s.webhook.deliveries {
		out[k] = v
	}
	return out, s.webhook.failures
}

func (s *Server) deliverLoop(ctx context.Context, url, secret string) {
	defer s.webhook.wg.Done()
	client := &http.Client{Timeout: 10 * time.Second}
	sem := make(chan struct{}, maxWebhookConnections)
	for {
		s.mu.Lock()
		var next *pendingUpdate
		for i := range s.pending {
			if !s.pending[i].inFlight {
				next = &s.pending[i]
				break
			}
		}
		ch := s.changed
		if next == nil {
			s.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return
			}
		}
		next.inFlight = true
		id, raw := next.id, next.raw
		s.webhook.deliveries[id]++
		s.mu.Unlock()

		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		s.webhook.wg.Add(1)
		go func() {
			defer s.webhook.wg.Done()
			defer func() { <-sem }()
			ok := post(ctx, client, url, secret, raw)
			if !ok {
				// Telegram backs off before retrying; so do we, briefly.
				select {
				case <-time.After(50 * time.Millisecond):
				case <-ctx.Done():
				}
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			for i, p := range s.pending {
				if p.id != id {
					continue
				}
				if ok {
					s.pending = append(s.pending[:i:i], s.pending[i+1:]...)
				} else {
					s.webhook.failures++
					s.pending[i].inFlight = false
				}
				break
			}
			s.notifyLocked()
		}()
	}
}

func post(ctx context.Context, client *http.Client, url, secret string, body []byte) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode/100 == 2
}

// PostWebhook sends one raw request to a webhook URL with the given secret
// header, as an attacker or a misconfigured proxy might, and returns the
// HTTP status.
func PostWebhook(url, secret string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
