// Package metrics is what an operator of declbot serve can watch: counters
// and histograms in the Prometheus text format, served on METRICS_LISTEN at
// GET /metrics.
//
// Labels carry only small fixed sets of values (a language tag, a mode, a
// reason, a verdict, an API method): never question text, paragraph IDs,
// answer IDs or Telegram IDs, which would make every series unique and
// leak what users asked. Every method is safe on a nil *Metrics, so the
// code that counts needs no checks when metrics are off.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds declbot's collectors on a registry of its own (no
// process-wide default registry: tests and several bots in one process
// each count their own).
type Metrics struct {
	reg *prometheus.Registry

	questions      *prometheus.CounterVec
	refusals       *prometheus.CounterVec
	fallbacks      *prometheus.CounterVec
	rejected       prometheus.Counter
	feedback       *prometheus.CounterVec
	comments       prometheus.Counter
	apiErrors      *prometheus.CounterVec
	floodWaits     prometheus.Counter
	floodWaitTime  prometheus.Counter
	modelLatency   prometheus.Histogram
	answerLatency  prometheus.Histogram
	inFlight       prometheus.Gauge
	storeWrite     *prometheus.HistogramVec
	reviewDropped  *prometheus.CounterVec
	reviewRecorded prometheus.Counter
}

// latencyBuckets cover an offline answer (milliseconds) to a model
// answer at its deadline (a minute).
var latencyBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120}

// storeBuckets cover a batched bbolt commit: a fraction of a millisecond
// on an idle disk to seconds under load.
var storeBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// New makes the collectors and registers them, with Go runtime and
// process metrics.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.questions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "declbot_questions_total",
		Help: "Questions answered, by the answer's language and mode (model, offline, or fallback: the model failed and the offline answer stood in)."},
		[]string{"lang", "mode"})
	m.refusals = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "declbot_refusals_total",
		Help: "Answers saying the texts do not address the question, by language."}, []string{"lang"})
	m.fallbacks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "declbot_fallbacks_total",
		Help: "Model answers replaced by the offline answer, by reason (timeout, failed, empty, no_citations)."}, []string{"reason"})
	m.rejected = prometheus.NewCounter(prometheus.CounterOpts{Name: "declbot_rejected_citations_total",
		Help: "Citations the model wrote that were removed (not in the corpus, or not given to it)."})
	m.feedback = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "declbot_feedback_total",
		Help: "Feedback votes recorded (a new vote or a changed one), by verdict (up, down)."}, []string{"verdict"})
	m.comments = prometheus.NewCounter(prometheus.CounterOpts{Name: "declbot_feedback_comments_total",
		Help: "Comments recorded after a thumbs-down."})
	m.apiErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "declbot_telegram_api_errors_total",
		Help: "Failed Bot API calls, by method and kind (flood, transient, other); retried calls count each failure."},
		[]string{"method", "kind"})
	m.floodWaits = prometheus.NewCounter(prometheus.CounterOpts{Name: "declbot_telegram_flood_waits_total",
		Help: "Waits for Telegram's flood control (429 retry_after) before sending again."})
	m.floodWaitTime = prometheus.NewCounter(prometheus.CounterOpts{Name: "declbot_telegram_flood_wait_seconds_total",
		Help: "Time Telegram's flood control asked the bot to wait, in all."})
	m.modelLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "declbot_model_latency_seconds",
		Help: "Time spent waiting for the chat model per answer (rewrite and answer, with retries).", Buckets: latencyBuckets})
	m.answerLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "declbot_answer_latency_seconds",
		Help: "From a question's arrival to its answer delivered to Telegram.", Buckets: latencyBuckets})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "declbot_answers_in_flight",
		Help: "Questions being answered now."})
	m.storeWrite = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "declbot_store_write_seconds",
		Help: "Write latency of the embedded stores (history: one turn as the bot waits for it; review: one batched commit).", Buckets: storeBuckets},
		[]string{"store"})
	m.reviewDropped = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "declbot_review_dropped_total",
		Help: "Review records not kept, by reason (queue_full, write_failed, store_failed); answers are never held back for them."},
		[]string{"reason"})
	m.reviewRecorded = prometheus.NewCounter(prometheus.CounterOpts{Name: "declbot_review_records_total",
		Help: "Review records written."})
	m.reg.MustRegister(m.questions, m.refusals, m.fallbacks, m.rejected, m.feedback, m.comments, m.apiErrors,
		m.floodWaits, m.floodWaitTime, m.modelLatency, m.answerLatency, m.inFlight, m.storeWrite,
		m.reviewDropped, m.reviewRecorded,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Answer counts one answer given: lang its language tag, mode "model",
// "offline" or "fallback", reason why it fell back (""), refused whether
// it says the texts do not address the question, rejected the citations
// removed from it.
func (m *Metrics) Answer(lang, mode, reason string, refused bool, rejected int) {
	if m == nil {
		return
	}
	m.questions.WithLabelValues(lang, mode).Inc()
	if refused {
		m.refusals.WithLabelValues(lang).Inc()
	}
	if reason != "" {
		m.fallbacks.WithLabelValues(reason).Inc()
	}
	if rejected > 0 {
		m.rejected.Add(float64(rejected))
	}
}

// Feedback counts a vote recorded: "up" or "down".
func (m *Metrics) Feedback(verdict string) {
	if m != nil {
		m.feedback.WithLabelValues(verdict).Inc()
	}
}

// Comment counts a comment recorded.
func (m *Metrics) Comment() {
	if m != nil {
		m.comments.Inc()
	}
}

// APIError counts a failed Bot API call.
func (m *Metrics) APIError(method, kind string) {
	if m != nil {
		m.apiErrors.WithLabelValues(method, kind).Inc()
	}
}

// FloodWait counts one wait of d asked for by Telegram's flood control.
func (m *Metrics) FloodWait(d time.Duration) {
	if m != nil {
		m.floodWaits.Inc()
		m.floodWaitTime.Add(d.Seconds())
	}
}

// ModelLatency observes the time one answer spent waiting for the model.
func (m *Metrics) ModelLatency(d time.Duration) {
	if m != nil {
		m.modelLatency.Observe(d.Seconds())
	}
}

// AnswerLatency observes a question's time from arrival to delivery.
func (m *Metrics) AnswerLatency(d time.Duration) {
	if m != nil {
		m.answerLatency.Observe(d.Seconds())
	}
}

// InFlight adds delta to the answers in progress.
func (m *Metrics) InFlight(delta int) {
	if m != nil {
		m.inFlight.Add(float64(delta))
	}
}

// StoreWrite observes one write of store ("history" or "review").
func (m *Metrics) StoreWrite(store string, d time.Duration) {
	if m != nil {
		m.storeWrite.WithLabelValues(store).Observe(d.Seconds())
	}
}

// ReviewDropped counts n review records not kept, for reason.
func (m *Metrics) ReviewDropped(reason string, n int) {
	if m != nil && n > 0 {
		m.reviewDropped.WithLabelValues(reason).Add(float64(n))
	}
}

// ReviewRecorded counts n review records written.
func (m *Metrics) ReviewRecorded(n int) {
	if m != nil && n > 0 {
		m.reviewRecorded.Add(float64(n))
	}
}
