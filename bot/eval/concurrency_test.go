package eval

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/declbot/declbot/bot"
)

// cancelAfter answers like the small answerer and cancels the run after n
// answers, as Ctrl-C would.
type cancelAfter struct {
	inner  Answerer
	n      int32
	count  atomic.Int32
	cancel context.CancelFunc
}

func (c *cancelAfter) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) {
	if c.count.Add(1) > c.n {
		c.cancel()
		return bot.Answer{}, ctx.Err()
	}
	return c.inner.Ask(ctx, q)
}

func TestEvaluateAnswersInterrupted(t *testing.T) {
	s := loadSmall(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := &cancelAfter{inner: smallAnswerer(t, s.Corpus()), n: 2, cancel: cancel}
	rep, err := EvaluateAnswers(ctx, s, a)
	if !errors.Is(err, ErrInterrupted) || rep == nil {
		t.Fatalf("err %v, report %v", err, rep)
	}
	if len(rep.Items) != 2 || rep.Items[0].ID != "a" || rep.Items[1].ID != "b" || rep.Overall.Items != 2 {
		t.Errorf("partial report: %d items", len(rep.Items))
	}
	r := NewReport(s, nil, rep)
	if r.Pass || !strings.Contains(r.verdict(), "INCOMPLETE: interrupted: 2 of 5 questions answered") {
		t.Errorf("an interrupted run passes or does not say so: %s", r.verdict())
	}
}

func TestEvaluateAnswersConcurrent(t *testing.T) {
	s := loadSmall(t)
	one, err := EvaluateAnswers(context.Background(), s, smallAnswerer(t, s.Corpus()))
	if err != nil {
		t.Fatal(err)
	}
	var calls []int
	many, err := EvaluateAnswers(context.Background(), s, smallAnswerer(t, s.Corpus()), WithConcurrency(4),
		WithProgress(func(done, total int) { calls = append(calls, done*10+total) }))
	if err != nil {
		t.Fatal(err)
	}
	for i := range one.Items {
		a, b := one.Items[i], many.Items[i]
		if a.ID != b.ID || a.Answer != b.Answer || strings.Join(a.Problems, ";") != strings.Join(b.Problems, ";") {
			t.Errorf("item %d differs with concurrency: %s %s", i, a.ID, b.ID)
		}
	}
	if len(calls) != 5 || calls[4] != 55 {
		t.Errorf("progress calls %v", calls)
	}
}
