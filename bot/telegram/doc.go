// Package telegram is declbot's Telegram front end: it turns updates from
// the Bot API into questions for the answering engine and answers into
// well-formed Telegram messages (HTML, split at 4096 characters, source
// buttons), streamed as drafts in private chats and as throttled edits in
// groups, with flood control, per-user limits, allowlists, inline mode and
// follow-up history.
//
// The fake Bot API server in tgtest runs the same code in tests.
package telegram
