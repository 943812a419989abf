package main

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"

	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/bot/review"
)

// config is every setting declbot reads from the environment (and .env),
// read once at start. Each command validates the part it needs with the
// require* methods, whose errors name the variable and the fix.
type config struct {
	// DataDir holds caches and the chat-history database. Default: the
	// user's cache directory + "/declbot".
	DataDir string

	// LLM: any OpenAI-compatible chat server. LLMEnabled is true when
	// OPENAI_BASE_URL or OPENAI_API_KEY is set.
	OpenAIBaseURL string
	OpenAIAPIKey  string
	OpenAIModel   string
	LLMTimeout    time.Duration
	// LLMMaxTokens is sent as max_tokens with every model request.
	LLMMaxTokens int

	// Embeddings: an OpenAI-compatible embeddings endpoint, used only when
	// EMBEDDING_MODEL is set; base URL and key default to the chat ones.
	EmbeddingModel   string
	EmbeddingBaseURL string
	EmbeddingAPIKey  string

	// Telegram.
	TelegramToken  string
	TelegramAPIURL string
	WebhookURL     string
	WebhookListen  string
	WebhookSecret  string
	HealthListen   string
	AllowedUserIDs []int64
	AllowedChatIDs []int64
	// AdminUserIDs may use /stats (ADMIN_USER_IDS); for anyone else it
	// does not exist.
	AdminUserIDs []int64

	// ReviewLog keeps what was asked and answered in DATA_DIR/review.db
	// (REVIEW_LOG, default on), for ReviewRetention (REVIEW_RETENTION).
	ReviewLog       bool
	ReviewRetention time.Duration
	// MetricsListen serves GET /metrics there (METRICS_LISTEN).
	MetricsListen string

	LogLevel string
}

// goOffline drops the chat model and the embeddings API, for --offline:
// answers come from the text alone and nothing but Telegram is contacted.
func (c *config) goOffline() { c.OpenAIBaseURL, c.OpenAIAPIKey, c.EmbeddingModel = "", "", "" }

// LLMEnabled reports whether a chat model is configured.
func (c config) LLMEnabled() bool { return c.OpenAIBaseURL != "" || c.OpenAIAPIKey != "" }

// loadDotEnv loads .env from the working directory into the process
// environment without overriding variables that are already set. A missing
// .env is normal; a malformed one is an error worth reporting.
func loadDotEnv() error {
	if _, err := os.Stat(".env"); err != nil {
		return nil
	}
	if err := godotenv.Load(".env"); err != nil {
		return fmt.Errorf("read .env: %w (fix the line it names, or remove .env)", err)
	}
	return nil
}

// loadConfig reads the configuration through getenv and checks the values
// that every command relies on.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		DataDir:          strings.TrimSpace(getenv("DATA_DIR")),
		OpenAIBaseURL:    strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		OpenAIAPIKey:     strings.TrimSpace(getenv("OPENAI_API_KEY")),
		OpenAIModel:      strings.TrimSpace(getenv("OPENAI_MODEL")),
		EmbeddingModel:   strings.TrimSpace(getenv("EMBEDDING_MODEL")),
		EmbeddingBaseURL: strings.TrimSpace(getenv("EMBEDDING_BASE_URL")),
		EmbeddingAPIKey:  strings.TrimSpace(getenv("EMBEDDING_API_KEY")),
		TelegramToken:    strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN")),
		TelegramAPIURL:   strings.TrimSpace(getenv("TELEGRAM_API_URL")),
		WebhookURL:       strings.TrimSpace(getenv("WEBHOOK_URL")),
		WebhookListen:    strings.TrimSpace(getenv("WEBHOOK_LISTEN")),
		WebhookSecret:    strings.TrimSpace(getenv("WEBHOOK_SECRET")),
		HealthListen:     strings.TrimSpace(getenv("HEALTH_LISTEN")),
		MetricsListen:    strings.TrimSpace(getenv("METRICS_LISTEN")),
		LogLevel:         strings.TrimSpace(getenv("LOG_LEVEL")),
	}
	if c.OpenAIModel == "" {
		c.OpenAIModel = "gpt-4o-mini"
	}
	if c.EmbeddingBaseURL == "" {
		c.EmbeddingBaseURL = c.OpenAIBaseURL
	}
	if c.EmbeddingAPIKey == "" {
		c.EmbeddingAPIKey = c.OpenAIAPIKey
	}
	if c.TelegramAPIURL == "" {
		c.TelegramAPIURL = "https://api.telegram.org"
	}
	if c.WebhookListen == "" {
		c.WebhookListen = ":8080"
	}
	if c.DataDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return c, fmt.Errorf("DATA_DIR is not set and there is no user cache directory (%v): set DATA_DIR to a writable folder", err)
		}
		c.DataDir = filepath.Join(dir, "declbot")
	}
	timeout := strings.TrimSpace(getenv("LLM_TIMEOUT"))
	if timeout == "" {
		c.LLMTimeout = 60 * time.Second
	} else {
		d, err := time.ParseDuration(timeout)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("LLM_TIMEOUT=%q is not a duration: write it like 30s or 2m", timeout)
		}
		c.LLMTimeout = d
	}
	c.LLMMaxTokens = llm.DefaultMaxTokens
	if v := strings.TrimSpace(getenv("LLM_MAX_TOKENS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 64 || n > 32768 {
			return c, fmt.Errorf("LLM_MAX_TOKENS=%q: write a whole number of tokens from 64 to 32768, e.g. %d", v, llm.DefaultMaxTokens)
		}
		c.LLMMaxTokens = n
	}
	for _, u := range []struct{ name, val string }{
		{"OPENAI_BASE_URL", c.OpenAIBaseURL},
		{"EMBEDDING_BASE_URL", c.EmbeddingBaseURL},
		{"TELEGRAM_API_URL", c.TelegramAPIURL},
		{"WEBHOOK_URL", c.WebhookURL},
	} {
		if u.val != "" && !strings.HasPrefix(u.val, "http://") && !strings.HasPrefix(u.val, "https://") {
			return c, fmt.Errorf("%s=%q is not a URL: it must start with http:// or https://", u.name, withoutUserinfo(u.val))
		}
	}
	var err error
	if c.AllowedUserIDs, err = parseIDList("ALLOWED_USER_IDS", getenv("ALLOWED_USER_IDS")); err != nil {
		return c, err
	}
	if c.AllowedChatIDs, err = parseIDList("ALLOWED_CHAT_IDS", getenv("ALLOWED_CHAT_IDS")); err != nil {
		return c, err
	}
	if c.AdminUserIDs, err = parseIDList("ADMIN_USER_IDS", getenv("ADMIN_USER_IDS")); err != nil {
		return c, err
	}
	for _, id := range c.AdminUserIDs {
		if id <= 0 {
			return c, fmt.Errorf("ADMIN_USER_IDS: %d is not a user ID (user IDs are positive; negative IDs are groups): list the operators' own Telegram user IDs, e.g. ADMIN_USER_IDS=12345", id)
		}
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("REVIEW_LOG"))); v {
	case "", "on", "true", "1", "yes":
		c.ReviewLog = true
	case "off", "false", "0", "no":
	default:
		return c, fmt.Errorf("REVIEW_LOG=%q: write on or off (off keeps no record of questions and shows no 👍/👎 buttons)", v)
	}
	c.ReviewRetention = review.DefaultRetention
	if v := strings.TrimSpace(getenv("REVIEW_RETENTION")); v != "" {
		d, err := parseRetention(v)
		if err != nil || d < time.Hour || d > 3650*24*time.Hour {
			return c, fmt.Errorf("REVIEW_RETENTION=%q: write how long to keep review records, from 1h to 3650d, e.g. 30d or 72h", v)
		}
		c.ReviewRetention = d
	}
	switch strings.ToLower(c.LogLevel) {
	case "", "info", "debug", "warn", "error":
	default:
		return c, fmt.Errorf("LOG_LEVEL=%q: use debug, info, warn or error", c.LogLevel)
	}
	return c, nil
}

// parseRetention reads a duration that may also be in days ("30d").
func parseRetention(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, err
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// parseIDList reads a comma- or space-separated list of Telegram IDs.
func parseIDList(name, s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a numeric Telegram ID: list IDs separated by commas, e.g. %s=12345,67890", name, f, name)
		}
		out = append(out, n)
	}
	return out, nil
}

// withoutUserinfo drops a "user:password@" part from a URL-like value so
// that an error message never prints a password.
func withoutUserinfo(s string) string {
	if i := strings.LastIndex(s, "@"); i >= 0 {
		return "…@" + s[i+1:]
	}
	return s
}

// configFileVars are the variables a --config file of "declbot eval" may
// set: those that choose the chat model and the embeddings. Everything else
// (DATA_DIR, Telegram, LOG_LEVEL) is about where and how declbot runs, not
// about what is measured, so it comes from the environment for every
// configuration alike; a file that sets it is refused rather than half
// obeyed.
var configFileVars = []string{
	"OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL", "LLM_TIMEOUT",
	"EMBEDDING_MODEL", "EMBEDDING_BASE_URL", "EMBEDDING_API_KEY",
}

// namedConfig is one configuration of a multi-configuration evaluation:
// the settings and the name the reports show them under.
type namedConfig struct {
	name string
	cfg  config
	// getenv reads the file's variables over the environment; for
	// redacting the file's keys from error messages.
	getenv func(string) string
}

// loadConfigFile reads a --config file (dotenv syntax) and layers it over
// getenv: a variable the file sets, even to "", wins; any other comes from
// getenv. Errors name the file, the line where it can be found, the
// variable and the fix.
func loadConfigFile(path string, getenv func(string) string) (namedConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return namedConfig{}, fmt.Errorf("--config %s: no such file", path)
		}
		return namedConfig{}, fmt.Errorf("--config %s: %w", path, err)
	}
	vars, err := godotenv.UnmarshalBytes(b)
	if err != nil {
		return namedConfig{}, fmt.Errorf("--config %s: %w (a configuration file has lines like OPENAI_MODEL=qwen-plus)", path, err)
	}
	// Unknown variables in the order they appear, so the first one named
	// is the first one in the file.
	var unknown []string
	for name := range vars {
		if !slices.Contains(configFileVars, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.SortFunc(unknown, func(x, y string) int { return cmp.Compare(varLine(b, x), varLine(b, y)) })
		where := path
		if n := varLine(b, unknown[0]); n > 0 {
			where = fmt.Sprintf("%s:%d", path, n)
		}
		return namedConfig{}, fmt.Errorf("--config %s: %s cannot be set in a configuration file: it may set only %s (the rest, such as DATA_DIR, comes from the environment for every configuration)",
			where, unknown[0], strings.Join(configFileVars, ", "))
	}
	layered := func(name string) string {
		if v, ok := vars[name]; ok {
			return v
		}
		return getenv(name)
	}
	cfg, err := loadConfig(layered)
	if err != nil {
		return namedConfig{}, fmt.Errorf("--config %s: %w", path, err)
	}
	return namedConfig{name: filepath.Base(path), cfg: cfg, getenv: layered}, nil
}

// varLine returns the 1-based line of src on which name is assigned
// ("NAME=", "NAME:" or "export NAME="), or 0. godotenv does not report
// lines; this finds them for the error message.
func varLine(src []byte, name string) int {
	for i, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimSpace(strings.TrimPrefix(line, "export "))
		rest, ok := strings.CutPrefix(line, name)
		if !ok {
			continue
		}
		if rest = strings.TrimSpace(rest); strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, ":") {
			return i + 1
		}
	}
	return 0
}
